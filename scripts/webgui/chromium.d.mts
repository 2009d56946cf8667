export const CHROMIUM_LAUNCH: { executablePath: string; args: string[] };
