// The README's examples as one program: log in as staff, page through the customers, upload a PDF as a document
// of the first customer, then follow the viewer's notifications (surviving dropped connections). One JSON line per
// step on stdout. src/sdk/package.test.ts installs the packed SDK into an empty project and runs this against a server.
//
//   KUNDENAPP_URL=http://localhost:4000/graphql KUNDENAPP_EMAIL=... KUNDENAPP_PASSWORD=... KUNDENAPP_FILE=police.pdf \
//     node quickstart.js
//
// Optional: KUNDENAPP_AFTER (a stored cursor: continue after it), KUNDENAPP_EVENTS (stop after that many notifications).
import { readFile } from "node:fs/promises";
import WebSocket from "ws";
import {
  ApiError,
  CustomersDocument,
  DocumentCategoriesDocument,
  KundenappClient,
  LoginDocument,
  NotificationAddedDocument,
  SCHEMA_HASH,
  UploadDocumentDocument,
  type ResultOf,
} from "@kundenapp/sdk";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
const print = (line: Record<string, unknown>) => console.log(JSON.stringify(line));

// Node 20 has no global WebSocket: pass `ws`. Browsers and Node 22+ need no webSocketImpl.
const client = new KundenappClient({ url: env("KUNDENAPP_URL"), webSocketImpl: WebSocket, reconnect: { initialDelayMs: 200 } });
print({ step: "sdk", schemaHash: SCHEMA_HASH });

// 1. Log in: the token goes with every request and the WebSocket from now on.
const { login } = await client.request(LoginDocument, { input: { email: env("KUNDENAPP_EMAIL"), password: env("KUNDENAPP_PASSWORD") } });
client.setToken(login.token);
print({ step: "login", kind: login.viewer.kind, expiresAt: login.expiresAt });

// 2. Page through the customers: `first` items after the cursor `after`, until there is no next page.
type Customer = ResultOf<typeof CustomersDocument>["customers"]["edges"][number]["node"];
const customers: Customer[] = [];
let after: string | null | undefined;
do {
  const { customers: page } = await client.request(CustomersDocument, { first: 2, after });
  customers.push(...page.edges.map((edge) => edge.node));
  after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
} while (after);
print({ step: "customers", names: customers.map((c) => c.name) });

// 3. Upload a file: createUpload + PUT of the bytes (client.upload), then attach the fileId with uploadDocument.
const first = customers[0];
if (first) {
  const { documentCategories } = await client.request(DocumentCategoriesDocument, {});
  const file = await client.upload({ purpose: "DOCUMENT", fileName: "police.pdf", contentType: "application/pdf", body: await readFile(env("KUNDENAPP_FILE")) });
  const { uploadDocument } = await client.request(UploadDocumentDocument, {
    input: { fileId: file.fileId, customerId: first.id, categoryId: documentCategories[0]?.id },
  });
  print({ step: "upload", mimeType: file.mimeType, size: file.size, documentId: uploadDocument.document.id, title: uploadDocument.document.title });
}

// 4. Follow the notifications. A dropped connection is resumed by the SDK after the last event received;
// an ended session ends the loop with ApiError UNAUTHENTICATED. Store `notifications.cursor` to continue after a restart.
const limit = Number(process.env.KUNDENAPP_EVENTS ?? Number.POSITIVE_INFINITY);
const notifications = client.subscribe(NotificationAddedDocument, { after: process.env.KUNDENAPP_AFTER });
let received = 0;
try {
  for await (const { notificationAdded } of notifications) {
    print({ step: "notification", title: notificationAdded.notification.title, cursor: notificationAdded.cursor });
    if (++received >= limit) break;
  }
} catch (err) {
  if (!(err instanceof ApiError)) throw err;
  print({ step: "ended", code: err.code, message: err.message });
}
print({ step: "done", cursor: notifications.cursor });
await client.close();
