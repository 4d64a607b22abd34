// Themis' ESLint config: only the security plugins' rules, every file as a script or module.
import security from "eslint-plugin-security";
import nounsanitized from "eslint-plugin-no-unsanitized";

export default [
  {
    files: ["**/*.js"],
    languageOptions: { ecmaVersion: "latest", sourceType: "commonjs" },
    linterOptions: { reportUnusedDisableDirectives: "off", noInlineConfig: true },
    plugins: { security, "no-unsanitized": nounsanitized },
    rules: {
      ...security.configs.recommended.rules,
      "no-unsanitized/method": "error",
      "no-unsanitized/property": "error",
    },
  },
];
