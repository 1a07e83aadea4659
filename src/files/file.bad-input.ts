/** Bad inputs to the mutations of the file module: each gets a clear error and changes nothing (run by src/test/bad-input.test.ts). */
import { CreateUploadDocument } from "../sdk/client.js";
import { long, pdfUpload, raw, type BadInputRows } from "../test/bad-input-registry.js";

export const fileBadInput: BadInputRows = {
  createUpload: [
    ["empty file name", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, fileName: "" } }), "BAD_USER_INPUT", "input.fileName"],
    ["blank file name", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, fileName: "   " } }), "BAD_USER_INPUT", "input.fileName"],
    ["too long file name", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, fileName: `${long(197)}.pdf` } }), "BAD_USER_INPUT", "input.fileName"],
    ["content type not allowed", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, contentType: "text/html" } }), "BAD_USER_INPUT", "input.contentType"],
    ["too long content type", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, contentType: `application/${long(100)}` } }), "BAD_USER_INPUT", "input.contentType"],
    ["size zero", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, size: 0 } }), "BAD_USER_INPUT", "input.size"],
    ["negative size", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, size: -1 } }), "BAD_USER_INPUT", "input.size"],
    ["size over the limit", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, size: 25 * 1024 * 1024 + 1 } }), "BAD_USER_INPUT", "input.size"],
    ["size beyond Int", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, size: 2 ** 31 } }), "BAD_USER_INPUT", "input.size"],
    ["size of the wrong type", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, size: raw<number>("100") } }), "BAD_USER_INPUT", "input.size"],
    ["unknown purpose", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, purpose: raw<"DOCUMENT">("AVATAR") } }), "BAD_USER_INPUT", "input.purpose"],
    ["app: claim photo as PDF", (w) => w.app.request(CreateUploadDocument, { input: { ...pdfUpload, purpose: "CLAIM_PHOTO" } }), "BAD_USER_INPUT", "input.contentType"],
  ],
};
