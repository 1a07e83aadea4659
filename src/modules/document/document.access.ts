/** Who may call the document module's operations, and what of another firm or customer they must not reach (run by src/test/isolation.test.ts). */
import crypto from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import {
  CreateDocumentCategoryDocument,
  DocumentCategoriesDocument,
  DocumentsDocument,
  NodeDocument,
  SetDocumentVisibilityDocument,
  SetRecommendedDocumentCategoriesDocument,
  UploadDocumentDocument,
  type KundenappClient,
} from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { upload } from "../../test/factories.js";
import { PDF } from "../../test/fixtures.js";
import type { ModuleAccess } from "../../test/access-registry.js";
import { documentCategories, documents } from "./document.table.js";

/** Uploads a PDF with the caller and attaches it: the customer and category given as global IDs. */
async function uploadTo(c: KundenappClient, customerId: string, categoryId: string) {
  const { fileId } = await upload(c, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
  return c.request(UploadDocumentDocument, { input: { fileId, customerId, categoryId } });
}

export const documentAccess: ModuleAccess = {
  operations: [
    { name: "documents", access: "staff", app: "ok", call: (c) => c.request(DocumentsDocument, { first: 10 }) },
    { name: "node(Document)", access: "staff", app: "ok", call: (c, own, w) => c.request(NodeDocument, { id: toGlobalId("Document", w.of(own).document) }) },
    { name: "documentCategories", access: "staff", call: (c) => c.request(DocumentCategoriesDocument, {}) },
    {
      name: "uploadDocument",
      access: "staff",
      app: "ok",
      call: (c, own, w) => uploadTo(c, toGlobalId("Customer", w.of(own).customer), toGlobalId("DocumentCategory", w.of(own).category)),
    },
    {
      name: "setDocumentVisibility",
      access: "staff",
      call: (c, own, w) => c.request(SetDocumentVisibilityDocument, { input: { documentIds: [toGlobalId("Document", w.of(own).document)], visible: true } }),
    },
    {
      name: "createDocumentCategory",
      access: "admin",
      call: (c) => c.request(CreateDocumentCategoryDocument, { input: { name: `Iso ${crypto.randomBytes(4).toString("hex")}`, recommended: false } }),
    },
    {
      name: "setRecommendedDocumentCategories",
      access: "admin",
      call: (c, own, w) => c.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [toGlobalId("DocumentCategory", w.of(own).category)] } }),
    },
  ],
  byId: [
    { name: "node(id) of a Document", argument: "node.id", type: "Document", objectOf: (firm, w) => w.of(firm).document, call: (c, id) => c.request(NodeDocument, { id }) },
    {
      name: "node(id) of a DocumentCategory",
      argument: "node.id",
      type: "DocumentCategory",
      objectOf: (firm, w) => w.of(firm).category,
      call: (c, id) => c.request(NodeDocument, { id }),
    },
    {
      name: "setDocumentVisibility (documents)",
      argument: "setDocumentVisibility.input.documentIds",
      type: "Document",
      objectOf: (firm, w) => w.of(firm).document,
      call: (c, id) => c.request(SetDocumentVisibilityDocument, { input: { documentIds: [id], visible: true } }),
    },
    {
      name: "setDocumentVisibility (customer)",
      argument: "setDocumentVisibility.input.customerId",
      type: "Customer",
      objectOf: (firm, w) => w.of(firm).customer,
      call: (c, id) => c.request(SetDocumentVisibilityDocument, { input: { customerId: id, visible: true } }),
    },
    {
      name: "setDocumentVisibility (category)",
      argument: "setDocumentVisibility.input.categoryId",
      type: "DocumentCategory",
      objectOf: (firm, w) => w.of(firm).category,
      call: (c, id) => c.request(SetDocumentVisibilityDocument, { input: { categoryId: id, visible: false } }),
    },
    {
      name: "setRecommendedDocumentCategories",
      argument: "setRecommendedDocumentCategories.input.categoryIds",
      type: "DocumentCategory",
      objectOf: (firm, w) => w.of(firm).category,
      call: (c, id) => c.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [id] } }),
    },
    {
      name: "uploadDocument (customer)",
      argument: "uploadDocument.input.customerId",
      type: "Customer",
      objectOf: (firm, w) => w.of(firm).customer,
      call: (c, id, w) => uploadTo(c, id, toGlobalId("DocumentCategory", w.of(w.a).category)),
    },
    {
      name: "uploadDocument (category)",
      argument: "uploadDocument.input.categoryId",
      type: "DocumentCategory",
      objectOf: (firm, w) => w.of(firm).category,
      call: (c, id, w) => uploadTo(c, toGlobalId("Customer", w.of(w.a).customer), id),
    },
    {
      name: "uploadDocument (file)",
      argument: "uploadDocument.input.fileId",
      type: "File",
      objectOf: (firm, w) => w.of(firm).file,
      call: (c, id, w) =>
        c.request(UploadDocumentDocument, {
          input: { fileId: id, customerId: toGlobalId("Customer", w.of(w.a).customer), categoryId: toGlobalId("DocumentCategory", w.of(w.a).category) },
        }),
    },
    {
      // Rule C5: a document filed at a contract of the same customer.
      name: "uploadDocument (contract)",
      argument: "uploadDocument.input.contractId",
      type: "Contract",
      objectOf: (firm, w) => w.of(firm).contract,
      call: async (c, id, w) => {
        const { fileId } = await upload(c, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
        return c.request(UploadDocumentDocument, {
          input: { fileId, customerId: toGlobalId("Customer", w.of(w.a).customer), categoryId: toGlobalId("DocumentCategory", w.of(w.a).category), contractId: id },
        });
      },
    },
    {
      // Rule C5: a document filed at a claim of the same customer (the caller, firm A's admin, holds CLAIMS).
      name: "uploadDocument (claim)",
      argument: "uploadDocument.input.claimId",
      type: "Claim",
      objectOf: (firm, w) => w.of(firm).claim,
      call: async (c, id, w) => {
        const { fileId } = await upload(c, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
        return c.request(UploadDocumentDocument, {
          input: { fileId, customerId: toGlobalId("Customer", w.of(w.a).customer), categoryId: toGlobalId("DocumentCategory", w.of(w.a).category), claimId: id },
        });
      },
    },
    {
      name: "documents (customer filter)",
      argument: "documents.customerId",
      type: "Customer",
      objectOf: (firm, w) => w.of(firm).customer,
      call: (c, id) => c.request(DocumentsDocument, { first: 100, customerId: id }),
    },
    {
      name: "documents (category filter)",
      argument: "documents.categoryId",
      type: "DocumentCategory",
      objectOf: (firm, w) => w.of(firm).category,
      call: async (c, id) => (await c.request(DocumentsDocument, { first: 100, categoryId: id })).documents.edges.map((e) => e.node.id),
      filter: true,
    },
  ],
  lists: [
    {
      name: "documents",
      listed: async (c) => (await c.request(DocumentsDocument, { first: 100 })).documents.edges.map((e) => e.node.id),
      rowsOf: async (firmId, w) =>
        (await w.db().select({ id: documents.id }).from(documents).where(eq(documents.tenantId, firmId))).map((r) => toGlobalId("Document", r.id)),
      app: {
        rowsOfCustomers: async (customerIds, w) =>
          customerIds.length
            ? (await w.db().select({ id: documents.id }).from(documents).where(inArray(documents.customerId, customerIds))).map((r) => toGlobalId("Document", r.id))
            : [],
      },
    },
    {
      name: "documentCategories",
      listed: async (c) => (await c.request(DocumentCategoriesDocument, {})).documentCategories.map((cat) => cat.id),
      rowsOf: async (firmId, w) =>
        (await w.db().select({ id: documentCategories.id }).from(documentCategories).where(eq(documentCategories.tenantId, firmId))).map((r) =>
          toGlobalId("DocumentCategory", r.id),
        ),
    },
  ],
  subscriptions: [],
  open: [],
  pending: [],
};
