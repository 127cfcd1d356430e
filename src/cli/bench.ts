export async function benchCommand(_o: { quick: boolean }): Promise<number> {
  return 0;
}
