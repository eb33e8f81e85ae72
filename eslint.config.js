import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      '.data/',
      'test/e2e/artifacts/',
      'server/web/public/vendor/',
      'bench/.scratch/',
      'bench/.work/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only server/config.ts reads process.env.' },
      ],
    },
  },
  {
    files: [
      'server/config.ts',
      'test/**',
      'bench/**',
      'reliability/**',
      'deploy/**',
      '.ci/**',
      'server/cli/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['server/**/public/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        SwaggerUIBundle: 'readonly',
        SwaggerUIStandalonePreset: 'readonly',
      },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
