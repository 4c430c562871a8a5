import type { TestStack } from '../../test/support/stack';
import { SITE_MIX } from './site-mix';

/** What to put into a stack's database. */
export interface SeedPlan {
  sites: number;
  /** The owner of every site (a member of each, as the API makes the creator). */
  ownerId: number;
  /** Also a member of every `memberEvery`-th site. */
  memberId: number;
  memberEvery: number;
}

/**
 * Writes sites straight into the stack's database (creating 1,000 through the API would run 1,000
 * create operations through nginx): rows as the API leaves them after a successful create, with
 * the nginx benchmark's mix (1 in 3 dynamic with env variables, 1 in 10 with a custom domain), each
 * with its succeeded create operation and steps, so a list reads everything it reads in real use.
 * No component hears of these sites; listing them touches only the manager and PostgreSQL.
 */
export async function seedSites(stack: TestStack, plan: SeedPlan): Promise<void> {
  const image = (await stack.database.query<{ id: number }>(`SELECT id FROM "Image" WHERE name = 'busybox'`))[0];
  if (!image) throw new Error('the stack has no busybox catalogue image');
  await stack.database.query(
    `INSERT INTO "Site" (name, type, description, state, "imageId", env, "createdAt", "updatedAt")
     SELECT 'bench' || lpad(i::text, 5, '0'),
            (CASE WHEN i % $2 = 0 THEN 'dynamic' ELSE 'static' END)::"SiteType",
            'Benchmark site number ' || i || ', seeded for the API throughput benchmark',
            'active'::"SiteState",
            CASE WHEN i % $2 = 0 THEN $3::int END,
            CASE WHEN i % $2 = 0 THEN '{"APP_ENV":"production","LOG_LEVEL":"info","TZ":"Europe/Berlin"}'::jsonb ELSE '{}'::jsonb END,
            now() - make_interval(mins => $1::int - i), now()
     FROM generate_series(1, $1::int) AS i`,
    [plan.sites, SITE_MIX.dynamicEvery, image.id],
  );
  await stack.database.query(
    `INSERT INTO "SiteMember" ("siteId", "userId") SELECT id, $1::int FROM "Site" WHERE name LIKE 'bench%'
     UNION ALL SELECT id, $2::int FROM "Site" WHERE name LIKE 'bench%' AND id % $3::int = 0`,
    [plan.ownerId, plan.memberId, plan.memberEvery],
  );
  await stack.database.query(
    `INSERT INTO "Domain" ("siteId", hostname, status) SELECT id, 'www.' || name || '.example.org', 'active'::"DomainStatus"
     FROM "Site" WHERE name LIKE 'bench%' AND id % $1::int = 0`,
    [SITE_MIX.customDomainEvery],
  );
  await seedCreateOperations(stack, plan.ownerId);
}

/** One succeeded create operation per seeded site, with the steps the catalogue gives it. */
async function seedCreateOperations(stack: TestStack, requestedById: number): Promise<void> {
  await stack.database.query(
    `INSERT INTO "Operation" ("siteId", "siteName", kind, state, "requestedById", "createdAt", "startedAt", "finishedAt")
     SELECT id, name, 'create_site'::"OperationKind", 'succeeded'::"OperationState", $1::int,
            "createdAt", "createdAt" + interval '5 ms', "createdAt" + interval '400 ms'
     FROM "Site" WHERE name LIKE 'bench%'`,
    [requestedById],
  );
  await stack.database.query(
    `INSERT INTO "OperationStep" ("operationId", position, name, state, attempts, "startedAt", "finishedAt")
     SELECT o.id, step.position - (CASE WHEN s.type = 'dynamic' THEN 0 ELSE 1 END), step.name, 'succeeded'::"StepState", 1,
            o."startedAt" + step.position * interval '120 ms', o."startedAt" + (step.position + 1) * interval '120 ms'
     FROM "Operation" o
     JOIN "Site" s ON s.id = o."siteId"
     CROSS JOIN (VALUES (0, 'orchestrator.build_image'), (1, 'orchestrator.ensure_site'), (2, 'router.ensure_routes')) AS step(position, name)
     WHERE s.name LIKE 'bench%' AND (s.type = 'dynamic' OR step.position > 0)`,
  );
}
