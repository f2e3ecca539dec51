/** Helpers for declaring commander options, shared by the commands. */

/** Accumulates a repeatable option (`--target a --target b`) into a list. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
