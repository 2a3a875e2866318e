import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "coverage/", "review/", "data/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      // Phone numbers and bodies must never reach stdout by accident; the service logs through pino.
      "no-console": ["error", { allow: ["error"] }],
    },
  },
  {
    files: ["**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { module: "writable", require: "readonly" },
    },
  },
  {
    // Pulumi's own rules: an Output in a plain template literal renders as a warning text, not
    // its value (pulumi.interpolate resolves it). They need type information, so only infra/.
    files: ["infra/**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  {
    files: ["tests/**/*.ts", "bench/**/*.ts", "infra/**/*.ts"],
    rules: { "no-console": "off" },
  },
);
