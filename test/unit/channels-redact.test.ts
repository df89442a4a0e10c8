import { REDACTED, redactSecrets, redactUrl } from '../../src/channels/redact';

describe('redactUrl', () => {
  it.each<[string, string]>([
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<redacted>'],
    ['https://qyapi.weixin.qq.com/cgi-bin/message/send?access_token=ACCESS_TOKEN&debug=1', 'https://qyapi.weixin.qq.com/cgi-bin/message/send?access_token=<redacted>&debug=1'],
    ['https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=SECRET', 'https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=<redacted>'],
    ['https://x/?debug=1&key=abc#frag', 'https://x/?debug=1&key=<redacted>#frag'],
    ['https://x/?KEY=abc&Access_Token=def', 'https://x/?KEY=<redacted>&Access_Token=<redacted>'],
    ['https://x/?secret=s1&token=t1', 'https://x/?secret=<redacted>&token=<redacted>'],
    ['https://x/?monkey=banana&keys=1', 'https://x/?monkey=banana&keys=1'],
    ['https://x/path?corpid=ww1', 'https://x/path?corpid=ww1'],
    [
      'request to https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1 failed: connect ECONNREFUSED',
      'request to https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<redacted> failed: connect ECONNREFUSED',
    ],
    ['{"url":"https://x/send?key=k1","ok":false}', '{"url":"https://x/send?key=<redacted>","ok":false}'],
    ["url='https://x/send?key=k1'", "url='https://x/send?key=<redacted>'"],
    ['two: https://a/?key=k1 and https://b/?access_token=t2.', 'two: https://a/?key=<redacted> and https://b/?access_token=<redacted>'],
    ['no urls here', 'no urls here'],
  ])('%s', (input, output) => {
    expect(redactUrl(input)).toBe(output);
  });
});

describe('redactSecrets', () => {
  it('removes every occurrence of each known secret value, in URLs or free text', () => {
    const text = 'corpsecret=app-secret-123 rejected; token tok-456789 and app-secret-123 again';
    expect(redactSecrets(text, ['app-secret-123', 'tok-456789'])).toBe(`corpsecret=${REDACTED} rejected; token ${REDACTED} and ${REDACTED} again`);
  });

  it('removes a robot key that appears outside a query string', () => {
    expect(redactSecrets('robot 693a91f6-7xxx-4bc4 answered 93000', ['693a91f6-7xxx-4bc4'])).toBe('robot <redacted> answered 93000');
  });

  it('ignores empty and very short secrets, which would blank ordinary text', () => {
    expect(redactSecrets('a b abc', ['', 'a', 'abc'])).toBe('a b abc');
    expect(redactSecrets('pass abcd', ['abcd'])).toBe('pass <redacted>');
  });

  it('still redacts query parameters without a secret list', () => {
    expect(redactSecrets('https://x/?key=k1', [])).toBe('https://x/?key=<redacted>');
  });
});
