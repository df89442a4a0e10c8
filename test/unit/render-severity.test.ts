import { severityColor, severityLabel, severityRank } from '../../src/render/severity';

describe('severity', () => {
  it.each<[string | undefined, string, string, number]>([
    ['critical', 'warning', '严重', 0],
    ['CRITICAL', 'warning', '严重', 0],
    ['disaster', 'warning', '严重', 0],
    ['emergency', 'warning', '严重', 0],
    ['fatal', 'warning', '严重', 0],
    ['high', 'warning', '严重', 0],
    ['P0', 'warning', '严重', 0],
    ['p1', 'warning', '严重', 0],
    ['error', 'warning', '严重', 0],
    ['page', 'warning', '严重', 0],
    ['warning', 'warning', '警告', 1],
    ['warn', 'warning', '警告', 1],
    ['Average', 'warning', '警告', 1],
    ['medium', 'warning', '警告', 1],
    ['major', 'warning', '警告', 1],
    ['p2', 'warning', '警告', 1],
    ['p3', 'warning', '警告', 1],
    ['info', 'comment', '提示', 2],
    ['information', 'comment', '提示', 2],
    ['low', 'comment', '提示', 2],
    ['notice', 'comment', '提示', 2],
    ['none', 'comment', '提示', 2],
    ['sev-x', 'comment', 'sev-x', 3],
    ['自定义', 'comment', '自定义', 3],
    ['', 'comment', '未定级', 3],
    [undefined, 'comment', '未定级', 3],
  ])('%j → colour %s, label %s, rank %d', (severity, color, label, rank) => {
    expect([severityColor(severity), severityLabel(severity), severityRank(severity)]).toEqual([color, label, rank]);
  });
});
