import { byteLength, truncateBytes, TRUNCATION_MARKER } from '../../src/render/bytes';

describe('byteLength', () => {
  it.each<[string, string, number, number]>([
    ['empty', '', 0, 0],
    ['ASCII', 'abc', 3, 3],
    ['Latin-1', 'é', 1, 2],
    ['CJK', '中', 1, 3],
    ['CJK text', '磁盘空间不足', 6, 18],
    ['full-width punctuation', '，：（）', 4, 12],
    ['emoji', '😀', 1, 4],
    ['emoji with skin tone', '👍🏽', 2, 8],
    ['ZWJ family', '👨‍👩‍👧', 5, 18],
    ['mixed', 'CPU 使用率 95% 🔥', 13, 22],
  ])('%s: %j has %d code points and %d bytes', (_name, text, runes, bytes) => {
    expect([...text]).toHaveLength(runes);
    expect(byteLength(text)).toBe(bytes);
  });

  it('counts the truncation marker in bytes', () => {
    expect(TRUNCATION_MARKER).toBe('…(内容过长已截断)');
    expect(byteLength(TRUNCATION_MARKER)).toBe(26);
  });
});

describe('truncateBytes', () => {
  it.each<[string, number, string | undefined, string]>([
    ['abc', 3, undefined, 'abc'],
    ['abc', 10, undefined, 'abc'],
    ['abcdef', 4, undefined, 'a…'],
    ['abcdef', 5, undefined, 'ab…'],
    ['中文字符', 12, undefined, '中文字符'],
    ['中文字符', 11, undefined, '中文…'],
    ['中文字符', 7, undefined, '中…'],
    ['中文字符', 8, undefined, '中…'],
    ['中文字符', 9, undefined, '中文…'],
    ['中文字符', 5, undefined, '…'],
    ['😀😀', 7, undefined, '😀…'],
    ['😀😀', 6, undefined, '…'],
    ['a😀b', 5, undefined, 'a…'],
    ['é中😀', 8, undefined, 'é中…'],
    ['é中😀', 7, undefined, 'é…'],
    ['abcd', 2, undefined, ''],
    ['abcd', 0, undefined, ''],
    ['abcdef', 4, '', 'abcd'],
    ['中文字符', 4, '', '中'],
    // 12 CJK characters = 36 bytes; the marker alone is 26.
    ['磁盘空间不足，请尽快处理', 28, TRUNCATION_MARKER, '…(内容过长已截断)'],
    ['磁盘空间不足，请尽快处理', 29, TRUNCATION_MARKER, '磁…(内容过长已截断)'],
    ['磁盘空间不足，请尽快处理', 35, TRUNCATION_MARKER, '磁盘空…(内容过长已截断)'],
    ['磁盘空间不足，请尽快处理', 36, TRUNCATION_MARKER, '磁盘空间不足，请尽快处理'],
  ])('%j to %d bytes with marker %j → %j', (text, max, marker, expected) => {
    expect(truncateBytes(text, max, marker)).toBe(expected);
  });

  it('never splits a code point and never exceeds the limit (every limit, mixed CJK and emoji)', () => {
    const text = 'a中😀é文👍🏽b字';
    for (let max = 3; max <= byteLength(text) + 1; max++) {
      const out = truncateBytes(text, max);
      expect(out).not.toContain('\uFFFD');
      expect(byteLength(out)).toBeLessThanOrEqual(max);
      if (byteLength(text) > max) {
        expect(out.endsWith('…')).toBe(true);
        expect(text.startsWith(out.slice(0, -1))).toBe(true);
        // As much as fits: one more code point would not.
        const kept = out.slice(0, -1);
        const next = [...text.slice(kept.length)][0];
        expect(byteLength(kept + next + '…')).toBeGreaterThan(max);
      } else {
        expect(out).toBe(text);
      }
    }
  });
});
