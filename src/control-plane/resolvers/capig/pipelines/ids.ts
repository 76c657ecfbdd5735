import { randomInt, randomUUID } from 'node:crypto';

// Meta's Signals Gateway id formats and default names (capig-control-plane.md B.6,
// docs/pipelines.md).

export const newPipelineId = (): string => `sg_v1_pl_${randomUUID()}`;
export const newDestinationId = (): string => `sg_v1_dd_${randomUUID()}`;

/** A Signals Gateway source id: 19 decimal digits, the first 1 to 9. */
export function newSourceId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 18; i++) id += String(randomInt(0, 10));
  return id;
}

export const SOURCE_ID = /^[1-9]\d{18}$/;
export const PIPELINE_ID = /^sg_v1_pl_[0-9a-f-]{36}$/;
export const DESTINATION_ID = /^sg_v1_dd_[0-9a-f-]{36}$/;

const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The 6 random characters of a default name, e.g. "Pipeline k3Xq9a". */
export function nameSuffix(): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += SUFFIX_CHARS[randomInt(0, SUFFIX_CHARS.length)];
  return s;
}

export const defaultPipelineName = (): string => `Pipeline ${nameSuffix()}`;
export const defaultPixelPipelineName = (pixelId: string): string => `Conversions API Gateway (${pixelId})`;
export const metaDatasetName = (datasetId: string): string => `Meta Dataset (${datasetId})`;

export function defaultSourceName(type: string): string {
  if (type === 'ADVERTISER_HOSTED_SDK') return `First-party App SDK ${nameSuffix()}`;
  if (type === 'FILE_UPLOAD') return `File upload ${nameSuffix()}`;
  return `Signals Gateway Pixel ${nameSuffix()}`;
}

export function defaultDestinationName(type: string): string {
  if (type === 'META_CONVERSIONS_API') return `Meta Dataset ${nameSuffix()}`;
  return `Customized destination ${nameSuffix()}`;
}

/** A Meta destination still named by default gets its dataset's name once it has one. */
export const hasDefaultMetaName = (name: string): boolean => /^Meta Dataset (\([0-9]+\)|[A-Za-z0-9]{6})$/.test(name);
