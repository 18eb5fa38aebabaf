export async function profileSection() {
  return undefined;
}
