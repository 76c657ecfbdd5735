import { useId } from 'react';
import { useQuery } from '../../../use-query';
import { tenantQuery } from './gql';

// The account's pixels, for the "Pixel" pickers of Event activity, Live events and Dead letters;
// with withDestinations, also the lanes of Signals Gateway destinations (their events are kept
// under the destination's id, read through the same queries).

export interface PixelOption {
  id: string;
  name: string;
  /** Set for a destination's lane: its DataDestinationType. */
  destinationType?: string;
}

export function usePixels(accountId: string, withDestinations = false) {
  return useQuery(async () => {
    const data = await tenantQuery<{
      account: { signalConfigs: { connectionStatus: { pixelID: string; pixelName: string } | null }[] | null } | null;
    }>(accountId, '', 'account(timeWindowMin: 1) { signalConfigs { connectionStatus { pixelID pixelName } } }');
    const pixels = (data.account?.signalConfigs ?? []).flatMap((c): PixelOption[] =>
      c.connectionStatus ? [{ id: c.connectionStatus.pixelID, name: c.connectionStatus.pixelName }] : [],
    );
    if (!withDestinations) return pixels;
    return [...pixels, ...(await destinationLanes(accountId, new Set(pixels.map((p) => p.id))))];
  }, [accountId, withDestinations]);
}

async function destinationLanes(accountId: string, pixelIds: Set<string>): Promise<PixelOption[]> {
  try {
    const data = await tenantQuery<{
      dataDestinationsQuery:
        | ({ id: string; name: string | null; type: string | null; lane: string | null } | null)[]
        | null;
    }>(accountId, '', 'dataDestinationsQuery { id name type lane }');
    return (data.dataDestinationsQuery ?? []).flatMap((d): PixelOption[] =>
      d?.lane && !pixelIds.has(d.lane)
        ? [{ id: d.lane, name: d.name ?? '', destinationType: d.type ?? 'UNKNOWN' }]
        : [],
    );
  } catch {
    // The pixels still work without the destinations' lanes.
    return [];
  }
}

export const pixelLabel = (p: PixelOption) => (p.name ? `${p.name} (${p.id})` : p.id);

/** A select labelled "Pixel"; value '' means every pixel when allowAll is set. */
export function PixelSelect({
  pixels,
  value,
  onChange,
  allowAll,
}: {
  pixels: PixelOption[];
  value: string;
  onChange(next: string): void;
  allowAll?: boolean;
}) {
  const id = useId();
  // A lane from the address the account does not list (yet) stays selectable as its id.
  const unknown = value && !pixels.some((p) => p.id === value) ? [{ id: value, name: '' }] : [];
  const plain = [...pixels.filter((p) => !p.destinationType), ...unknown];
  const lanes = pixels.filter((p) => p.destinationType);
  const options = (list: PixelOption[]) =>
    list.map((p) => (
      <option key={p.id} value={p.id}>
        {pixelLabel(p)}
      </option>
    ));
  return (
    <div className="pixel-select">
      <label htmlFor={id}>{lanes.length > 0 ? 'Pixel or destination' : 'Pixel'}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {allowAll ? <option value="">{lanes.length > 0 ? 'All' : 'All pixels'}</option> : null}
        {lanes.length > 0 ? (
          <>
            <optgroup label="Pixels">{options(plain)}</optgroup>
            <optgroup label="Destinations">{options(lanes)}</optgroup>
          </>
        ) : (
          options(plain)
        )}
      </select>
    </div>
  );
}
