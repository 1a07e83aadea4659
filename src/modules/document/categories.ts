/** Rule C2's default categories, created for every firm; C4's recommended ones are preselected in the bulk invitation. */
export const DEFAULT_CATEGORIES = [
  { key: "POLICY", name: "Police", recommended: true },
  { key: "AMENDMENT", name: "Nachtrag", recommended: true },
  { key: "INVOICE", name: "Rechnung", recommended: true },
  { key: "CORRESPONDENCE", name: "Schriftverkehr", recommended: false },
  { key: "APPLICATION", name: "Antrag", recommended: false },
  { key: "CONSULTATION_RECORD", name: "Beratungsprotokoll", recommended: true },
  { key: "POWER_OF_ATTORNEY", name: "Maklervollmacht", recommended: false },
  { key: "CLAIM", name: "Schaden", recommended: true },
  { key: "CHAT_TRANSCRIPT", name: "Chat-Transkript", recommended: true },
  { key: "OTHER", name: "Sonstiges", recommended: false },
] as const;

export type DefaultCategoryKey = (typeof DEFAULT_CATEGORIES)[number]["key"];
