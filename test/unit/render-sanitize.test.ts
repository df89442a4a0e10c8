import { sanitizeRecord, sanitizeUrl, sanitizeValue } from '../../src/render/sanitize';

describe('sanitizeValue', () => {
  it.each<[string, string, string]>([
    ['plain text stays', '磁盘空间不足 web-01', '磁盘空间不足 web-01'],
    ['mention of everybody', '<@all>', '＜@all＞'],
    ['font tag', '<font color="info">OK</font>', '＜font color="info"＞OK＜/font＞'],
    ['heading', '# 标题', '＃ 标题'],
    ['bold', '**x**', '＊＊x＊＊'],
    ['code', '`rm -rf`', 'ˋrm -rfˋ'],
    ['link', '[点我](http://evil)', '［点我］(http://evil)'],
    ['line breaks fold to one space', 'line1\r\n\n  line2\nline3', 'line1 line2 line3'],
    ['tabs become spaces', 'a\tb', 'a b'],
    ['control characters are dropped', 'a\u0000b\u0007c\u001bd\u007fe\u0085f', 'abcdef'],
    ['line and paragraph separators are dropped', 'a\u2028b\u2029c', 'abc'],
    ['other punctuation stays', 'a_b (c) {d} 100% > 90%', 'a_b (c) {d} 100% ＞ 90%'],
    ['emoji stays', '🔥 告警', '🔥 告警'],
  ])('markdown: %s', (_name, input, output) => {
    expect(sanitizeValue(input, 'markdown')).toBe(output);
  });

  it.each<[string, string, string]>([
    ['markdown characters stay in text', '# **x** `y` [z]', '# **x** `y` [z]'],
    ['mentions and tags are neutralized', '<@all> <a href="x">y</a>', '＜@all＞ ＜a href="x"＞y＜/a＞'],
    ['line breaks fold', 'a\n\nb', 'a b'],
    ['controls are dropped', 'a\u0000b', 'ab'],
  ])('text: %s', (_name, input, output) => {
    expect(sanitizeValue(input, 'text')).toBe(output);
  });
});

describe('sanitizeUrl', () => {
  it.each<[string | undefined, string | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['javascript:alert(1)', undefined],
    ['ftp://example.cn/x', undefined],
    ['/relative/path', undefined],
    ['http://prom:9090/graph?g0.expr=up&g0.tab=1', 'http://prom:9090/graph?g0.expr=up&g0.tab=1'],
    ['HTTPS://Grafana.example.cn/d/abc', 'HTTPS://Grafana.example.cn/d/abc'],
    ['  https://x.cn/a  ', 'https://x.cn/a'],
    ['https://x.cn/a b', 'https://x.cn/a%20b'],
    ['https://x.cn/q?e=rate(x[5m])', 'https://x.cn/q?e=rate%28x%5B5m%5D%29'],
    ['https://x.cn/"><@all>', 'https://x.cn/%22%3E%3C@all%3E'],
    ["https://x.cn/it's`*", 'https://x.cn/it%27s%60%2A'],
    ['https://x.cn/中文', 'https://x.cn/中文'],
  ])('%j → %j', (input, output) => {
    expect(sanitizeUrl(input)).toBe(output);
  });
});

describe('sanitizeRecord', () => {
  it('sanitizes keys and values for the mode', () => {
    expect(sanitizeRecord({ '<k>': 'v\n#1', plain: '**b**' }, 'markdown')).toEqual({ '＜k＞': 'v ＃1', plain: '＊＊b＊＊' });
    expect(sanitizeRecord({ '<k>': 'v\n#1' }, 'text')).toEqual({ '＜k＞': 'v #1' });
  });

  it('returns a new object and leaves the input alone', () => {
    const input = { a: '<x>' };
    expect(sanitizeRecord(input, 'markdown')).not.toBe(input);
    expect(input).toEqual({ a: '<x>' });
  });
});
