export async function scaleSection() {
  return undefined;
}
