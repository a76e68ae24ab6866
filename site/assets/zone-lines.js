// A zone's records as a customer writes them, one a line, as in a BIND
// file: name, time to live if not the hour, type, then value, an MX its
// priority first (`@ MX 10 mail.example.net`, `shop 300 A 203.0.113.8`),
// a TXT its text unquoted. Read into what the API takes, and written back
// from what it answers.

const HOUR = 3600;

/// `@ MX 10 mail.example.net` as the API takes it; a TXT value keeps its spaces.
export function parseRecord(line) {
  const words = line.trim().split(/\s+/);
  const name = words.shift() ?? "";
  const ttl = /^\d+$/.test(words[0] ?? "") ? Number(words.shift()) : undefined;
  const kind = (words.shift() ?? "").toUpperCase();
  const priority = kind === "MX" && /^\d+$/.test(words[0] ?? "") ? Number(words.shift()) : undefined;
  // A TXT's text as typed: the API takes it plain, or quoted as zones write it.
  const value = words.join(" ");
  return { name, type: kind, value, ...(ttl === undefined ? {} : { ttl }), ...(priority === undefined ? {} : { priority }) };
}

/// The records of a textarea, blank lines left out.
export const parseRecords = (text) => text.split("\n").filter((l) => l.trim()).map(parseRecord);

/// A TXT record's quoted strings as the one text they make.
const unquoted = (value) => [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1")).join("");

/// A record the API answered with, as a line to edit.
export function recordLine(record) {
  const value = record.type === "TXT" ? unquoted(record.value) : record.value;
  const ttl = record.ttl === HOUR ? null : record.ttl;
  return [record.name, ttl, record.type, record.priority ?? null, value].filter((w) => w !== null && w !== undefined).join(" ");
}
