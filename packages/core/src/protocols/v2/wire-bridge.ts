/**
 * flyteidl2.core and flyteidl.core messages that share a name share field numbers and types
 * (flyteidl2 only adds fields, and writes `map<string, X>` as the wire-identical
 * `repeated {key = 1, value = 2}`). Moving a message between the two generated code bases is
 * therefore an encode with one and a decode with the other; fields the target does not know
 * are dropped.
 */

/** The part of a ts-proto message type the bridge needs. */
export interface WireCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

/** Re-reads `message` (encoded by `from`) as the other protocol's message type `to`. */
export function bridge<A, B>(from: WireCodec<A>, to: WireCodec<B>, message: A): B {
  return to.decode(from.encode(message).finish());
}
