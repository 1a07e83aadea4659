import { registerEnumType } from "type-graphql";

// Declared once for the table (pgEnumOf) and the GraphQL schema.
export enum FilePurpose {
  LOGO = "LOGO",
  DOCUMENT = "DOCUMENT",
  CLAIM_PHOTO = "CLAIM_PHOTO",
}

registerEnumType(FilePurpose, {
  name: "FilePurpose",
  description:
    "What an upload is for: it decides who may upload, which types (read from the bytes) and sizes are accepted, and which mutation takes the `fileId`.",
  valuesConfig: {
    LOGO: { description: "The broker logo, for `updateBrokerProfile`'s `logoFileId`: PNG or JPEG up to 2 MB. Admins only." },
    DOCUMENT: { description: "A document, for `uploadDocument`: PDF, JPEG, PNG or HEIC up to 25 MB. Staff and app accounts." },
    CLAIM_PHOTO: { description: "A photo of a claim: JPEG, PNG or HEIC up to 15 MB. App accounts only." },
  },
});
