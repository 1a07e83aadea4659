import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import S3rver from "@20minutes/s3rver";
import { AwsClient } from "aws4fetch";

/**
 * An S3-compatible server on the loopback interface for tests: @20minutes/s3rver (a maintained fork of s3rver,
 * pure JavaScript, installed by npm), which checks SigV4 signatures of headers and presigned URLs alike, and
 * answers with S3's status codes and XML errors. (s3rver 3.7.1 accepts any SigV4 signature.) It does not check
 * the signed payload hash against the body; the fake in files.test.ts checks what is sent there.
 */
export interface S3TestServer {
  endpoint: string;
  region: string;
  /** The server's one account. */
  accessKeyId: string;
  secretAccessKey: string;
  /** Creates an empty bucket through the S3 API (a fresh name unless given); returns its name. */
  createBucket(name?: string): Promise<string>;
  /** Every key in a bucket (under `prefix`), through ListObjectsV2. */
  keys(bucket: string, prefix?: string): Promise<string[]>;
  /** One object as the server returns it to a signed GET. */
  object(bucket: string, key: string): Promise<{ contentType: string | null; bytes: Buffer }>;
  /** The environment that makes the app store its files in `bucket` (see config.ts). */
  env(bucket: string): Record<string, string>;
  close(): Promise<void>;
}

const EMPTY_SHA256 = crypto.createHash("sha256").update("").digest("hex");

export async function startS3Server(): Promise<S3TestServer> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), "kundenapp-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory });
  const { port } = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const region = "eu-central-1";
  const [accessKeyId, secretAccessKey] = ["S3RVER", "S3RVER"];
  const client = new AwsClient({ accessKeyId, secretAccessKey, service: "s3", region, retries: 0 });
  const call = async (method: string, url: string) => {
    const res = await fetch(await client.sign(url, { method, headers: { "x-amz-content-sha256": EMPTY_SHA256 } }));
    if (!res.ok) throw new Error(`S3 test server: ${method} ${url} answered ${res.status}: ${await res.text()}`);
    return res;
  };
  return {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    async createBucket(name = `files-${crypto.randomBytes(6).toString("hex")}`) {
      await (await call("PUT", `${endpoint}/${name}`)).body?.cancel();
      return name;
    },
    async keys(bucket, prefix = "") {
      const url = new URL(`${endpoint}/${bucket}`);
      url.searchParams.set("list-type", "2");
      url.searchParams.set("prefix", prefix);
      const xml = await (await call("GET", url.href)).text();
      if (/<IsTruncated>true<\/IsTruncated>/.test(xml)) throw new Error("S3 test server: more keys than one page holds");
      return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!).sort();
    },
    async object(bucket, key) {
      const res = await call("GET", `${endpoint}/${bucket}/${key}`);
      return { contentType: res.headers.get("content-type"), bytes: Buffer.from(await res.arrayBuffer()) };
    },
    env: (bucket) => ({
      S3_ENDPOINT: endpoint,
      S3_REGION: region,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
      S3_FORCE_PATH_STYLE: "true",
    }),
    async close() {
      await server.close();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}
