import { escapeHtml as e } from '../html';

/**
 * renderLoginPage: the console's sign-in form (no script needed). It offers what is configured:
 * user and password when `server.auth.basic` is set, a bearer token when tokens are.
 */
export interface LoginView {
  basic: boolean;
  bearer: boolean;
  error?: string;
  username?: string;
}

export function renderLoginPage(view: LoginView): string {
  const error = view.error ? `<p class="error" role="alert">${e(view.error)}</p>` : '';
  const basic = view.basic
    ? `<fieldset><legend>用户名和密码 <small>User and password</small></legend>
  <label>用户名 Username <input name="username" autocomplete="username" value="${e(view.username ?? '')}" autofocus></label>
  <label>密码 Password <input name="password" type="password" autocomplete="current-password"></label>
</fieldset>`
    : '';
  const bearer = view.bearer
    ? `<fieldset><legend>${view.basic ? '或 or ' : ''}令牌 <small>Bearer token</small></legend>
  <label>令牌 Token <input name="token" type="password" autocomplete="off"${view.basic ? '' : ' autofocus'}></label>
</fieldset>`
    : '';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 Sign in · wecom-alert-adapter</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/console.css">
</head>
<body class="login">
<main class="login-box">
<h1>wecom-alert-adapter <small>控制台 Console</small></h1>
${error}
<form method="post" action="login" class="login-form">
${basic}
${bearer}
<button type="submit">登录 Sign in</button>
</form>
<p class="muted">与 webhook 相同的凭据 (the same credentials as the webhooks, server.auth)。</p>
</main>
</body>
</html>
`;
}
