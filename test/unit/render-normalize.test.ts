import { normalizeOutput, stripForPlainMarkdown } from '../../src/render/normalize';

describe('normalizeOutput', () => {
  it.each<[string, string, string]>([
    ['trailing spaces and tabs', 'a  \nb\t\nc', 'a\nb\nc'],
    ['runs of blank lines fold to one', 'a\n\n\n\nb', 'a\n\nb'],
    ['blank lines made of spaces fold too', 'a\n  \n \t\n\nb', 'a\n\nb'],
    ['leading and trailing blank lines', '\n\n  a\nb\n\n\n', 'a\nb'],
    ['one blank line stays', 'a\n\nb', 'a\n\nb'],
    ['leading indentation inside stays', 'a\n  b', 'a\n  b'],
    ['empty', '\n \n', ''],
  ])('%s', (_name, input, output) => {
    expect(normalizeOutput(input)).toBe(output);
  });
});

describe('stripForPlainMarkdown', () => {
  it.each<[string, string]>([
    ['## <font color="warning">告警 2 条</font> · DiskFull', '## 告警 2 条 · DiskFull'],
    ['<font color="info">a</font> and <font color="comment">b\nc</font>', 'a and b\nc'],
    ['请 <@zhangsan> <@lisi> 处理', '请   处理'],
    ['**bold** [link](http://x)', '**bold** [link](http://x)'],
    ['<font color="Red">kept</font>', '<font color="Red">kept</font>'],
  ])('%j → %j', (input, output) => {
    expect(stripForPlainMarkdown(input)).toBe(output);
  });
});
