/**
 * Sets `obj[key] = value` as an own, enumerable property, also when `key` is `"__proto__"`
 * (a plain assignment would change the object's prototype instead): keys from the network or a
 * user are data, never structure.
 */
export function setOwn<T>(obj: { [key: string]: T }, key: string, value: T): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
