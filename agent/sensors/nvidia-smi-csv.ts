/**
 * nvidia-smi `--format=csv,noheader,nounits` values. Fields a GPU or driver cannot give print as
 * bracketed text (`[N/A]`, `[Not Supported]`, `[Unknown Error]`, `[Requested functionality has
 * been deprecated]`); those are null. Throttle reasons print `Active` / `Not Active`.
 */

export function splitCsvLine(line: string): string[] {
  return line.split(',').map((f) => f.trim());
}

export function csvNumber(field: string | undefined): number | null {
  if (field === undefined || field.startsWith('[')) return null;
  return /^-?\d+(\.\d+)?$/.test(field) ? Number(field) : null;
}

export function csvText(field: string | undefined): string | null {
  return field === undefined || field === '' || field.startsWith('[') ? null : field;
}

export function csvActive(field: string | undefined): boolean | null {
  if (field === 'Active') return true;
  if (field === 'Not Active') return false;
  return null;
}

export const MIB = 1024 * 1024;
