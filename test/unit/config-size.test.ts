import { parseSize } from '../../src/config/size';

describe('parseSize', () => {
  it.each<[string | number, number]>([
    [1024, 1024],
    ['1024', 1024],
    ['100b', 100],
    ['1KiB', 1024],
    ['512KiB', 524_288],
    ['512kib', 524_288],
    ['1MiB', 1_048_576],
    ['1MB', 1_000_000],
    ['100kb', 100_000],
    ['1GiB', 1_073_741_824],
    ['2gb', 2_000_000_000],
    ['1.5MiB', 1_572_864],
    [' 2 MiB ', 2_097_152],
  ])('%j → %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each<[string | number]>([[0], [-1], [1.5], ['0'], ['0KiB'], ['1 TiB'], ['MiB'], ['-1MiB'], ['1e6'], ['lots'], ['']])('%j is not a size', (input) => {
    expect(parseSize(input)).toBeUndefined();
  });
});
