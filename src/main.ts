#!/usr/bin/env node
import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, projectRoot, type Config } from "./config.js";
import { createApp } from "./app.js";
import { startServer } from "./server.js";
import { DEMO, seedDemo } from "./db/seed.js";
import { printSdl } from "./schema.js";
import type { Viewer } from "./auth/viewer.js";
import { asc } from "drizzle-orm";
import { tenants } from "./modules/tenant/tenant.table.js";

const HELP = `Usage: npm run cli -- <command> [options]

  serve                                   start the server (default; what \`npm start\` runs)
  migrate                                 apply database migrations and exit
  seed                                    seed the demo firm (once) and exit
  emit-schema [--check]                   write schema/schema.graphql (or fail if it is stale)
  tenant create --name N --admin-email E --admin-name A
                                          create a broker firm; prints its broker ID and the admin's invitation link
  tenant app --broker-id ID --on|--off    enable or disable a firm's customer app (rule A1)
  tenant list                             list the firms: broker ID, app on/off, name

Configuration comes from the environment (see README).`;

const operator: Viewer = { kind: "operator" };

async function serve(config: Config): Promise<void> {
  const app = await createApp(config);
  const log = app.deps.log;
  if (config.seedDemo) await seedDemo(app.services);
  const server = await startServer({ config, log, services: app.services });
  const db = app.deps.database.kind === "pglite" ? `PGlite in ${path.join(path.relative(projectRoot, config.dataDir) || ".", "pglite")}` : "PostgreSQL";
  const lines = [
    "",
    `  kundenapp-api ready on ${db}`,
    `  GraphQL (HTTP):      ${server.url}`,
    `  GraphQL (WebSocket): ${server.wsUrl}`,
    ...(config.seedDemo
      ? [
          `  Demo firm "${DEMO.firm}", broker ID ${DEMO.brokerId}`,
          `    admin:     ${DEMO.admin.email} / ${DEMO.admin.password}`,
          `    employee:  ${DEMO.employee.email} / ${DEMO.employee.password}`,
          `    app (customer Jonas Berger): ${DEMO.app.email} / ${DEMO.app.password} with broker ID ${DEMO.brokerId}`,
        ]
      : []),
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const hardStop = setTimeout(() => process.exit(1), 10_000).unref();
    await server.close(9_000);
    await app.close();
    clearTimeout(hardStop);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

async function main(argv: string[]): Promise<void> {
  const [command = "serve", ...rest] = argv;
  if (command === "help" || command === "--help") return void console.log(HELP);
  if (command === "emit-schema") {
    const { values } = parseArgs({ args: rest, options: { check: { type: "boolean" } } });
    const file = path.join(projectRoot, "schema", "schema.graphql");
    const sdl = await printSdl();
    if (values.check) {
      const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
      if (current !== sdl) {
        console.error("schema/schema.graphql is stale: run `npm run generate` and commit the result.");
        process.exit(1);
      }
      return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, sdl);
    return;
  }

  const config = loadConfig();
  if (command === "serve") return serve(config);

  const app = await createApp(config);
  try {
    if (command === "migrate") {
      console.log("migrations applied");
    } else if (command === "seed") {
      const { created } = await seedDemo(app.services);
      console.log(created ? `demo firm seeded (broker ID ${DEMO.brokerId})` : "demo firm exists already");
    } else if (command === "tenant" && rest[0] === "create") {
      const { values } = parseArgs({
        args: rest.slice(1),
        options: { name: { type: "string" }, "admin-email": { type: "string" }, "admin-name": { type: "string" } },
      });
      const result = await app.services.tenant.create(operator, {
        name: values.name ?? "",
        adminEmail: values["admin-email"] ?? "",
        adminName: values["admin-name"] ?? "",
      });
      console.log(`firm created: ${result.tenant.name}\nbroker ID: ${result.tenant.brokerId}\nadmin invitation: ${result.adminInvitationLink}`);
    } else if (command === "tenant" && rest[0] === "list") {
      const rows = await app.deps.database.db.select().from(tenants).orderBy(asc(tenants.name));
      for (const r of rows) console.log(`${r.brokerId}  app ${r.customerAppEnabled ? "on " : "off"}  ${r.name}`);
      if (rows.length === 0) console.log("no firms yet");
    } else if (command === "tenant" && rest[0] === "app") {
      const { values } = parseArgs({
        args: rest.slice(1),
        options: { "broker-id": { type: "string" }, on: { type: "boolean" }, off: { type: "boolean" } },
      });
      if (values.on === values.off) throw new Error("say --on or --off");
      const { tenant } = await app.services.tenant.setCustomerAppEnabled(operator, { brokerId: values["broker-id"], enabled: Boolean(values.on) });
      console.log(`customer app of ${tenant.name} (${tenant.brokerId}) is now ${tenant.customerAppEnabled ? "enabled" : "disabled"}`);
    } else {
      console.error(HELP);
      process.exitCode = 2;
    }
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78);
  }
  const e = err as { message?: string; extensions?: unknown; extra?: { fields?: unknown } };
  console.error(`error: ${e.message ?? String(err)}`);
  if (e.extra?.fields) console.error(JSON.stringify(e.extra.fields, null, 2));
  process.exit(1);
});
