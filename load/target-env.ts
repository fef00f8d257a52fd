/** Where a load worker finds the target: a file (local runs) or the JSON itself (cloud workers, via --secret or --dotenv). */
export const targetEnv = { file: 'TD448_LOAD_TARGET', json: 'TD448_LOAD_TARGET_JSON' } as const;
