// The reverse of a name -> code table (opcodes, close codes): a number as its name, for logs and
// messages. Browser-safe: the player protocol's tables use it too.

/** A lookup of `table`'s names by code; undefined for a code the table does not hold. */
export function namesOf<T extends Record<string, number>>(table: T): (code: number) => (keyof T & string) | undefined {
  const names = new Map<number, keyof T & string>(Object.entries(table).map(([name, code]) => [code, name as keyof T & string]));
  return (code) => names.get(code);
}
