import { egressIpOf, errcodeInfo, KNOWN_ERRCODES } from '../../src/channels/errcodes';

describe('errcodeInfo', () => {
  it.each<[number, string]>([
    [-1, 'retry'],
    [45033, 'retry'],
    [45009, 'rate_limited'],
    [40014, 'token'],
    [41001, 'token'],
    [42001, 'token'],
    // 40001/40013 must never trigger a token refresh loop
    [40001, 'permanent'],
    [40013, 'permanent'],
    [93000, 'permanent'],
    [40008, 'permanent'],
    [40058, 'permanent'],
    [44004, 'permanent'],
    [60020, 'permanent'],
    [81013, 'permanent'],
    [301002, 'permanent'],
  ])('errcode %d is %s', (errcode, cls) => {
    expect(errcodeInfo(errcode).class).toBe(cls);
  });

  it('classifies an unknown errcode as permanent and points to the lookup page', () => {
    expect(errcodeInfo(123456)).toEqual({
      class: 'permanent',
      reason: 'wecom_error',
      hint: '企业微信返回错误码 123456，详见 https://open.work.weixin.qq.com/devtool/query?e=123456 (see WeCom\'s error lookup).',
    });
  });

  it.each(KNOWN_ERRCODES.map((code) => [code]))('errcode %d has a snake_case reason and a Chinese hint with an English gloss', (errcode) => {
    const info = errcodeInfo(errcode);
    expect(info.reason).toMatch(/^[a-z][a-z_]+$/);
    expect(info.hint).toMatch(/[\u4e00-\u9fff]/);
    expect(info.hint).toMatch(/\([a-zA-Z].*\)\.?$/);
  });

  it('tells the operator what to do for the classic mistakes', () => {
    expect(errcodeInfo(60020).hint).toContain('企业可信IP');
    expect(errcodeInfo(93000).hint).toContain('key= 后面的值');
    expect(errcodeInfo(301002).hint).toContain('agent_id');
  });

  it('has unique reasons', () => {
    const reasons = KNOWN_ERRCODES.map((code) => errcodeInfo(code).reason);
    expect(new Set(reasons).size).toBe(reasons.length);
  });
});

describe('egressIpOf', () => {
  it.each<[string | undefined, string | undefined]>([
    ['not allow to access from your ip, hint: [1700000000_1_abc], from ip: 203.0.113.7, more info at https://open.work.weixin.qq.com/devtool/query?e=60020', '203.0.113.7'],
    ['from ip:2001:db8::1, more info', '2001:db8::1'],
    ['invalid webhook url', undefined],
    [undefined, undefined],
  ])('%j → %j', (errmsg, ip) => {
    expect(egressIpOf(errmsg)).toBe(ip);
  });
});
