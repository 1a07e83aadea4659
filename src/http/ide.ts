import fs from "node:fs";
import type http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { ErrorCode } from "../errors.js";
import { sendError } from "./respond.js";

/** Where the IDE's scripts and styles are served; under the GraphQL path so one proxy rule covers both. */
export const IDE_PREFIX = "/graphql/ide/";

/**
 * The IDE is GraphiQL from the project's own dependencies (its UMD build, with React 18's and graphql-ws's UMD
 * builds), served from this server: nothing is loaded from a CDN, so it works without internet and behind
 * firewalls. File names carry no versions, so the page names none.
 */
const require = createRequire(import.meta.url);
const packageDir = (name: string): string => path.dirname(require.resolve(`${name}/package.json`));

interface Asset {
  file?: string;
  body?: string;
  type: string;
}

const JS = "text/javascript; charset=utf-8";

/** The glue: a fetcher that sends the pasted (or logged-in) token over HTTP and, for subscriptions, over graphql-ws. */
const CLIENT_SCRIPT = String.raw`(function () {
  "use strict";
  var TOKEN_KEY = "kundenapp.ide.loginToken";
  var httpUrl = location.origin + location.pathname;
  var wsUrl = httpUrl.replace(/^http/, "ws");
  var sockets = {};

  function loginToken() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }
  /** The Authorization header from the Headers tab; without one (or with the empty template), the token of the last login. */
  function authorization(headers) {
    for (var key in headers) {
      if (key.toLowerCase() === "authorization" && headers[key] && !/^\s*bearer\s*$/i.test(String(headers[key]))) return String(headers[key]);
    }
    var token = loginToken();
    return token ? "Bearer " + token : undefined;
  }
  function isSubscription(params, opts) {
    var doc = opts && opts.documentAST;
    if (doc) {
      var ops = doc.definitions.filter(function (d) { return d.kind === "OperationDefinition"; });
      var op = params.operationName ? ops.filter(function (d) { return d.name && d.name.value === params.operationName; })[0] : ops[0];
      return !!op && op.operation === "subscription";
    }
    return /^\s*subscription\b/.test(params.query);
  }
  /** One socket per token: a new token gets a socket logged in with it. */
  function socketFor(auth) {
    var key = auth || "";
    if (!sockets[key]) {
      sockets[key] = graphqlWs.createClient({ url: wsUrl, lazy: true, connectionParams: auth ? { authorization: auth } : {} });
    }
    return sockets[key];
  }
  function fetcher(params, opts) {
    var headers = {};
    var given = (opts && opts.headers) || {};
    for (var key in given) if (key.toLowerCase() !== "authorization") headers[key] = given[key];
    var auth = authorization(given);
    if (isSubscription(params, opts)) return socketFor(auth).iterate(params);
    if (auth) headers.Authorization = auth;
    headers["content-type"] = "application/json";
    headers.accept = "application/graphql-response+json, application/json";
    return fetch(httpUrl, { method: "POST", headers: headers, body: JSON.stringify(params) })
      .then(function (res) { return res.json(); })
      .then(function (result) {
        var token = result && result.data && result.data.login && result.data.login.token;
        if (typeof token === "string") {
          try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* private mode: paste the token instead */ }
        }
        return result;
      });
  }

  var defaultQuery = [
    "# Kundenapp API",
    "#",
    "# Log in with Login below: this tab then uses its token.",
    "# Or paste a token in Headers: Bearer <token>.",
    "# Docs: the book icon. Subscriptions run over WebSocket.",
    "",
    "mutation Login {",
    "  login(input: { email: \"\", password: \"\" }) {",
    "    token",
    "    expiresAt",
    "    viewer { kind }",
    "  }",
    "}",
    "",
    "query Viewer {",
    "  viewer { kind }",
    "}",
    "",
    "subscription Notifications {",
    "  notificationAdded {",
    "    cursor",
    "    notification { id title }",
    "  }",
    "}",
    "",
  ].join("\n");

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: defaultQuery,
    defaultHeaders: "{\n  \"Authorization\": \"Bearer \"\n}",
    defaultEditorToolsVisibility: "headers",
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
  }));
})();
`;

function assets(): Map<string, Asset> {
  const graphiql = packageDir("graphiql");
  const react = packageDir("react");
  const reactDom = packageDir("react-dom");
  const graphqlWs = packageDir("graphql-ws");
  return new Map<string, Asset>([
    ["react.js", { file: path.join(react, "umd/react.production.min.js"), type: JS }],
    ["react-dom.js", { file: path.join(reactDom, "umd/react-dom.production.min.js"), type: JS }],
    ["graphql-ws.js", { file: path.join(graphqlWs, "umd/graphql-ws.min.js"), type: JS }],
    ["graphiql.js", { file: path.join(graphiql, "graphiql.min.js"), type: JS }],
    ["graphiql.css", { file: path.join(graphiql, "graphiql.min.css"), type: "text/css; charset=utf-8" }],
    ["ide.js", { body: CLIENT_SCRIPT, type: JS }],
  ]);
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphQL IDE · Kundenapp API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${IDE_PREFIX}graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading the IDE…</div>
<script src="${IDE_PREFIX}react.js"></script>
<script src="${IDE_PREFIX}react-dom.js"></script>
<script src="${IDE_PREFIX}graphql-ws.js"></script>
<script src="${IDE_PREFIX}graphiql.js"></script>
<script src="${IDE_PREFIX}ide.js"></script>
</body>
</html>
`;

/**
 * Everything from this origin only (the browser enforces "no CDN"); GraphiQL and CodeMirror set inline styles,
 * and GraphiQL's fonts are data: URLs in its stylesheet.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

type Files = Map<string, { body: Buffer; type: string }>;
/** Read once per process (about 1 MB); servers started in one process share them. */
let loaded: Files | undefined;

function loadFiles(): Files {
  if (loaded) return loaded;
  const files: Files = new Map();
  for (const [name, asset] of assets()) {
    files.set(name, { body: asset.file ? fs.readFileSync(asset.file) : Buffer.from(asset.body ?? "", "utf8"), type: asset.type });
  }
  return (loaded = files);
}

/** GraphiQL: the page on `GET /graphql` for browsers, and its files under `/graphql/ide/`. */
export class Ide {
  // Read at start: a missing package fails the start, not the first visitor.
  private readonly files: Files = loadFiles();

  /** A browser asking for a page (not an operation): a GET that prefers HTML and carries no `query`. */
  static wanted(req: http.IncomingMessage, url: URL): boolean {
    if (req.method !== "GET" || url.searchParams.has("query")) return false;
    const accept = String(req.headers.accept ?? "");
    return accept.includes("text/html");
  }

  sendPage(res: http.ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    res.end(PAGE);
  }

  sendAsset(req: http.IncomingMessage, res: http.ServerResponse, name: string): void {
    const file = this.files.get(name);
    if (!file) return sendError(res, 404, ErrorCode.NOT_FOUND, "Not found");
    res.writeHead(200, {
      "content-type": file.type,
      "content-length": file.body.length,
      // Unversioned names: a browser revalidates after an hour, so an upgrade reaches it the same day.
      "cache-control": "public, max-age=3600",
      "x-content-type-options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : file.body);
  }
}
