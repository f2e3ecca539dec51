/** For the child scripts: `stopped()` turns true once a line arrives on stdin, or stdin closes (the test process is gone). */
import { createInterface } from "node:readline";

export function stopOnLine(): () => boolean {
  let stop = false;
  const rl = createInterface({ input: process.stdin });
  rl.once("close", () => (stop = true));
  rl.once("line", () => {
    stop = true;
    rl.close();
    process.stdin.destroy();
  });
  return () => stop;
}
