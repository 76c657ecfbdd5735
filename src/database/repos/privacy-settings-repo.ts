import type { Sql } from '../db.js';
import { scopeParams, type TenantScope } from './signal-configs-repo.js';

// An account's privacy settings (docs/pipelines.md "Enrichment and consent"): the enrichment
// switch, the consent policy and the data processing options added to events that carry none.

export type ConsentPolicy = 'IGNORE' | 'DROP' | 'LIMIT';

export interface PrivacySettingsRecord {
  eventEnrichment: boolean;
  consentPolicy: ConsentPolicy;
  consentRequired: boolean;
  /** null: none set. */
  dataProcessingOptions: string[] | null;
  dataProcessingOptionsCountry: number | null;
  dataProcessingOptionsState: number | null;
}

const SCOPED = 'id = $1 AND id = ANY($2::text[])';

interface Row {
  event_enrichment: boolean;
  consent_policy: ConsentPolicy;
  consent_required: boolean;
  dpo_options: string[] | null;
  dpo_country: number | null;
  dpo_state: number | null;
}

const toRecord = (r: Row): PrivacySettingsRecord => ({
  eventEnrichment: r.event_enrichment,
  consentPolicy: r.consent_policy,
  consentRequired: r.consent_required,
  dataProcessingOptions: r.dpo_options,
  dataProcessingOptionsCountry: r.dpo_country,
  dataProcessingOptionsState: r.dpo_state,
});

const COLUMNS = 'event_enrichment, consent_policy, consent_required, dpo_options, dpo_country, dpo_state';

export async function readPrivacySettings(sql: Sql, scope: TenantScope): Promise<PrivacySettingsRecord | null> {
  const [row] = await sql.query<Row>(`SELECT ${COLUMNS} FROM tenants WHERE ${SCOPED}`, scopeParams(scope));
  return row ? toRecord(row) : null;
}

/**
 * Writes the whole record (the caller merged what was left out). Data processing options are set
 * together: options null clears country and state too.
 */
export async function writePrivacySettings(
  sql: Sql,
  scope: TenantScope,
  s: PrivacySettingsRecord,
): Promise<PrivacySettingsRecord | null> {
  const [row] = await sql.query<Row>(
    `UPDATE tenants SET event_enrichment = $3, consent_policy = $4, consent_required = $5, dpo_options = $6::text[],
                        dpo_country = $7, dpo_state = $8, updated_at = now()
      WHERE ${SCOPED} RETURNING ${COLUMNS}`,
    [
      ...scopeParams(scope),
      s.eventEnrichment,
      s.consentPolicy,
      s.consentRequired,
      s.dataProcessingOptions,
      s.dataProcessingOptionsCountry,
      s.dataProcessingOptionsState,
    ],
  );
  return row ? toRecord(row) : null;
}
