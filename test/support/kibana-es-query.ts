/**
 * The action variables of a Kibana Elasticsearch-query rule that matched application error logs,
 * built from elastic/kibana `x-pack/platform/plugins/shared/stack_alerts/server/rule_types/es_query/`
 * (`executor.ts` fills the base context `date`, `value`, `conditions`, `hits` (the rule's `size`
 * documents, default 100), `link`, `sourceFields`; `action_context.ts` `addMessages` adds `title`
 * `rule '<name>' matched query` and `message` `Document count is N in the last 5m in <index> index.
 * Alert when greater than T.`) and the rule/alert variables of `transform_action_params.ts`.
 *
 * The documents are ordinary Filebeat/ECS records of a Java service on Kubernetes: a log line
 * plus `error.stack_trace`, `kubernetes.*`, `host.*`, `agent.*` — about 10 KB each, so 100 of them
 * pass the 1 MiB default body limit with the v1 body, which embeds the whole context.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const RULE_ID = '3c9b1f0e-5d7a-4e2b-8f61-0a4d2c7e9b13';
const BASE = 'https://kibana.example.cn';
const RULE_URL = `${BASE}/s/sre/app/management/insightsAndAlerting/triggersActions/rule/${RULE_ID}`;

function stackTrace(i: number): string {
  const frames = [
    'com.example.order.service.PaymentClient.charge(PaymentClient.java:214)',
    'com.example.order.service.OrderService.settle(OrderService.java:388)',
    'com.example.order.web.OrderController.pay(OrderController.java:97)',
    'jdk.internal.reflect.GeneratedMethodAccessor412.invoke(Unknown Source)',
    'java.base/jdk.internal.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)',
    'java.base/java.lang.reflect.Method.invoke(Method.java:568)',
    'org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:205)',
    'org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest(InvocableHandlerMethod.java:150)',
    'org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle(ServletInvocableHandlerMethod.java:117)',
    'org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.invokeHandlerMethod(RequestMappingHandlerAdapter.java:895)',
    'org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.handleInternal(RequestMappingHandlerAdapter.java:808)',
    'org.springframework.web.servlet.mvc.method.AbstractHandlerMethodAdapter.handle(AbstractHandlerMethodAdapter.java:87)',
    'org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1072)',
    'org.springframework.web.servlet.DispatcherServlet.doService(DispatcherServlet.java:965)',
    'org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1006)',
    'org.springframework.web.servlet.FrameworkServlet.doPost(FrameworkServlet.java:909)',
    'jakarta.servlet.http.HttpServlet.service(HttpServlet.java:590)',
    'org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)',
    'jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)',
    'org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:205)',
    'org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:149)',
    'org.apache.tomcat.websocket.server.WsFilter.doFilter(WsFilter.java:51)',
    'org.springframework.web.filter.RequestContextFilter.doFilterInternal(RequestContextFilter.java:100)',
    'org.springframework.web.filter.OncePerRequestFilter.doFilter(OncePerRequestFilter.java:116)',
    'org.springframework.web.filter.FormContentFilter.doFilterInternal(FormContentFilter.java:93)',
    'org.springframework.web.filter.CharacterEncodingFilter.doFilterInternal(CharacterEncodingFilter.java:201)',
    'org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:167)',
    'org.apache.catalina.core.StandardContextValve.invoke(StandardContextValve.java:90)',
    'org.apache.catalina.authenticator.AuthenticatorBase.invoke(AuthenticatorBase.java:482)',
    'org.apache.catalina.core.StandardHostValve.invoke(StandardHostValve.java:115)',
    'org.apache.catalina.valves.ErrorReportValve.invoke(ErrorReportValve.java:93)',
    'org.apache.catalina.core.StandardEngineValve.invoke(StandardEngineValve.java:74)',
    'org.apache.catalina.connector.CoyoteAdapter.service(CoyoteAdapter.java:341)',
    'org.apache.coyote.http11.Http11Processor.service(Http11Processor.java:391)',
    'org.apache.coyote.AbstractProcessorLight.process(AbstractProcessorLight.java:63)',
    'org.apache.coyote.AbstractProtocol$ConnectionHandler.process(AbstractProtocol.java:894)',
    'org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1740)',
    'org.apache.tomcat.util.net.SocketProcessorBase.run(SocketProcessorBase.java:52)',
    'org.apache.tomcat.util.threads.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1191)',
    'org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)',
    'org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:61)',
    'java.base/java.lang.Thread.run(Thread.java:833)',
  ];
  const head = `java.net.SocketTimeoutException: Read timed out (payment-gateway.internal:8443, order ${100200300 + i})`;
  const causeFrames = [
    'java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)',
    'java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:314)',
    'java.base/sun.nio.ch.NioSocketImpl.read(NioSocketImpl.java:355)',
    'java.base/sun.nio.ch.NioSocketImpl$1.read(NioSocketImpl.java:808)',
    'java.base/java.net.Socket$SocketInputStream.read(Socket.java:966)',
    'java.base/sun.security.ssl.SSLSocketInputRecord.read(SSLSocketInputRecord.java:484)',
    'java.base/sun.security.ssl.SSLSocketInputRecord.readHeader(SSLSocketInputRecord.java:478)',
    'java.base/sun.security.ssl.SSLSocketInputRecord.bytesInCompletePacket(SSLSocketInputRecord.java:70)',
    'java.base/sun.security.ssl.SSLSocketImpl.readApplicationRecord(SSLSocketImpl.java:1465)',
    'java.base/sun.security.ssl.SSLSocketImpl$AppInputStream.read(SSLSocketImpl.java:1069)',
    'org.apache.hc.core5.http.impl.io.SessionInputBufferImpl.fillBuffer(SessionInputBufferImpl.java:149)',
    'org.apache.hc.core5.http.impl.io.SessionInputBufferImpl.readLine(SessionInputBufferImpl.java:280)',
    'org.apache.hc.core5.http.impl.io.AbstractMessageParser.parse(AbstractMessageParser.java:247)',
    'org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection.receiveResponseHeader(DefaultBHttpClientConnection.java:194)',
    'org.apache.hc.core5.http.impl.io.HttpRequestExecutor.execute(HttpRequestExecutor.java:174)',
    'org.apache.hc.client5.http.impl.classic.InternalExecRuntime.execute(InternalExecRuntime.java:218)',
    'org.apache.hc.client5.http.impl.classic.MainClientExec.execute(MainClientExec.java:106)',
    'org.apache.hc.client5.http.impl.classic.ConnectExec.execute(ConnectExec.java:188)',
    'org.apache.hc.client5.http.impl.classic.ProtocolExec.execute(ProtocolExec.java:192)',
    'org.apache.hc.client5.http.impl.classic.HttpRequestRetryExec.execute(HttpRequestRetryExec.java:96)',
    'org.apache.hc.client5.http.impl.classic.InternalHttpClient.doExecute(InternalHttpClient.java:174)',
    'org.springframework.http.client.HttpComponentsClientHttpRequest.executeInternal(HttpComponentsClientHttpRequest.java:93)',
    'org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:862)',
    'com.example.order.service.PaymentClient.charge(PaymentClient.java:208)',
  ];
  const cause = ['Caused by: java.net.SocketTimeoutException: Read timed out', ...causeFrames.map((frame) => `\tat ${frame}`), '\t... 41 common frames omitted'];
  return [head, ...frames.map((frame) => `\tat ${frame}`), ...cause].join('\n');
}

/** logDocument: one matching search hit (`_index`, `_id`, `_score`, `_source`, `sort`). */
export function logDocument(i: number, at: number): Json {
  const pod = `order-service-7d9f8b6c4-${['x2kqp', 'm8vzt', 'q4hwn', 'r7lds'][i % 4]}`;
  const node = `k8s-node-${String(10 + (i % 6)).padStart(2, '0')}`;
  const timestamp = new Date(at - i * 2_870).toISOString();
  return {
    _index: '.ds-logs-order-service-default-2025.03.18-000107',
    _id: `a${String(i).padStart(3, '0')}QqJUBc0Yw8mJ2kF1x`,
    _score: null,
    _source: {
      '@timestamp': timestamp,
      message: `支付网关调用超时，订单 ${100200300 + i} 结算失败 (payment gateway read timed out after 3000 ms)`,
      log: { level: 'ERROR', logger: 'com.example.order.service.PaymentClient', file: { path: `/var/log/containers/${pod}_prod_order-service-0123456789abcdef.log` }, offset: 18_204_117 + i * 9_731 },
      error: { type: 'java.net.SocketTimeoutException', message: 'Read timed out', stack_trace: stackTrace(i) },
      service: { name: 'order-service', version: '3.18.2', environment: 'production', node: { name: pod } },
      // MDC fields of the request (ecs-logging-java), as the service logs them.
      url: { full: `https://order.example.cn/api/v2/orders/${100200300 + i}/pay?channel=wechat&trace=4bf92f3577b34da6a3ce929d0e0e${String(4736 + i).padStart(4, '0')}`, path: `/api/v2/orders/${100200300 + i}/pay`, domain: 'order.example.cn' },
      http: { request: { method: 'POST', id: `req-${String(i).padStart(6, '0')}-7f3a`, bytes: 1_842 }, response: { status_code: 504 } },
      user_agent: { original: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN' },
      client: { ip: `183.192.${i % 250}.${(i * 7) % 250}`, geo: { country_iso_code: 'CN', region_name: 'Shanghai', city_name: 'Shanghai' } },
      labels: { tenant: 'retail', channel: 'wechat', region: 'cn-sh', release: '2025.03.17-2' },
      trace: { id: `4bf92f3577b34da6a3ce929d0e0e${String(4736 + i).padStart(4, '0')}` },
      transaction: { id: `00f067aa0ba9${String(i).padStart(4, '0')}` },
      process: { thread: { name: `http-nio-8080-exec-${1 + (i % 200)}` }, pid: 1 },
      host: { name: node, hostname: node, architecture: 'x86_64', ip: [`10.20.${i % 6}.${30 + (i % 200)}`, 'fe80::f816:3eff:fe4c:8a1b'], mac: ['FA-16-3E-4C-8A-1B'], os: { kernel: '5.15.0-105-generic', name: 'Ubuntu', family: 'debian', type: 'linux', version: '22.04.4 LTS (Jammy Jellyfish)', platform: 'ubuntu' }, containerized: false },
      kubernetes: {
        namespace: 'prod',
        node: { name: node, uid: '2f1a7c3e-9b4d-4e8f-a6c2-5d7e9f1b3a48', labels: { 'kubernetes_io/hostname': node, 'node_kubernetes_io/instance-type': 'c6.4xlarge', 'topology_kubernetes_io/zone': 'cn-sh-2' }, hostname: node },
        pod: { name: pod, uid: `8e4c2a1f-6b3d-4f7e-9a5c-${String(i % 4).repeat(12)}`, ip: `172.16.${i % 4}.${40 + (i % 4)}` },
        container: { name: 'order-service' },
        deployment: { name: 'order-service' },
        replicaset: { name: 'order-service-7d9f8b6c4' },
        labels: { app: 'order-service', 'app_kubernetes_io/part-of': 'trade', team: 'sre', 'pod-template-hash': '7d9f8b6c4', version: '3.18.2' },
        namespace_labels: { 'kubernetes_io/metadata_name': 'prod', istio_injection: 'enabled' },
      },
      container: { id: `0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab${String(i % 4).repeat(4)}`, runtime: 'containerd', image: { name: 'registry.example.cn/trade/order-service:3.18.2' } },
      agent: { name: node, id: '5a7d9c1e-3f2b-4a6e-8d0c-2b4f6a8c0e13', type: 'filebeat', ephemeral_id: '9c1e3a5f-7b2d-4c8e-a0f6-1d3b5e7a9c24', version: '8.13.2' },
      cloud: { provider: 'tencent', region: 'ap-shanghai', availability_zone: 'ap-shanghai-2', instance: { id: `ins-${String(7001 + (i % 6))}a2b3c4` }, machine: { type: 'S5.4XLARGE32' }, account: { id: '100012345678' }, image: { id: 'img-22trbn9x' }, service: { name: 'CVM' } },
      orchestrator: { cluster: { name: 'prod-sh-01', url: 'https://10.20.0.1:6443' }, type: 'kubernetes' },
      ecs: { version: '8.0.0' },
      input: { type: 'container' },
      stream: 'stdout',
      event: { dataset: 'order-service.log', module: 'java', ingested: new Date(at - i * 2_870 + 1_400).toISOString(), kind: 'event', category: ['web'], type: ['error'] },
      data_stream: { type: 'logs', dataset: 'order-service', namespace: 'default' },
      tags: ['java', 'order-service', 'prod'],
    },
    sort: [at - i * 2_870],
  };
}

/**
 * esQueryVariables: the variables Kibana gives a "Query matched" action of the rule
 * `订单服务错误日志激增` with `hits` documents (the rule's Size, default 100) out of `value` matches.
 */
export function esQueryVariables(options: { hits?: number; value?: number; date?: string } = {}): Record<string, Json> {
  const hits = options.hits ?? 100;
  const value = options.value ?? 1374;
  const date = options.date ?? '2025-03-18T02:15:03.219Z';
  const at = Date.parse(date) - 6_000;
  const name = '订单服务错误日志激增';
  const conditions = 'Number of matching documents is greater than 50';
  return {
    date: '2025-03-18T02:15:03.412Z',
    kibanaBaseUrl: BASE,
    rule: { id: RULE_ID, name, type: '.es-query', spaceId: 'sre', tags: ['order-service', 'severity:critical', 'team:sre'], url: RULE_URL },
    alert: { id: 'query matched', uuid: '6d2f8a4c-1e7b-4c9d-b3f5-8a0e2c4d6f17', actionGroup: 'query matched', actionGroupName: 'Query matched', flapping: false, consecutiveMatches: 1 },
    context: {
      title: `rule '${name}' matched query`,
      message: `Document count is ${value} in the last 5m in logs-order-service-* index. Alert when greater than 50.`,
      date,
      value,
      conditions,
      hits: Array.from({ length: hits }, (_, i) => logDocument(i, at)),
      link: RULE_URL,
      sourceFields: [],
    },
  };
}
