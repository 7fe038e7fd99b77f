// What a migration is given: the database and the retention it creates tables with.
export interface MigrationContext {
  db: string;
  retention: { rawDays: number; rejectsDays: number; minuteDays: number; hourDays: number; dayDays: number };
}

export interface Migration {
  version: number;
  name: string;
  up(ctx: MigrationContext): string[];
}
