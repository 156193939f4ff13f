export declare const consoleRoot: string;
export declare const consoleDist: string;
export declare function consoleIsStale(): Promise<boolean>;
export declare function buildConsole(options?: { onlyIfStale?: boolean; logLevel?: 'info' | 'warn' | 'error' | 'silent' }): Promise<boolean>;
