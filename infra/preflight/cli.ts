import { preflightMain } from "./main";

preflightMain(process.argv.slice(2), { out: (text) => console.log(text) }).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
