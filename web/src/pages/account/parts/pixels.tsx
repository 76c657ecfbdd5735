import { useId } from 'react';
import { useQuery } from '../../../use-query';
import { tenantQuery } from './gql';

// The account's pixels, for the "Pixel" pickers of Event activity, Live events and Dead letters.

export interface PixelOption {
  id: string;
  name: string;
}

export function usePixels(accountId: string) {
  return useQuery(async () => {
    const data = await tenantQuery<{
      account: { signalConfigs: { connectionStatus: { pixelID: string; pixelName: string } | null }[] | null } | null;
    }>(accountId, '', 'account(timeWindowMin: 1) { signalConfigs { connectionStatus { pixelID pixelName } } }');
    return (data.account?.signalConfigs ?? []).flatMap((c): PixelOption[] =>
      c.connectionStatus ? [{ id: c.connectionStatus.pixelID, name: c.connectionStatus.pixelName }] : [],
    );
  }, [accountId]);
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
  return (
    <div className="pixel-select">
      <label htmlFor={id}>Pixel</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {allowAll ? <option value="">All pixels</option> : null}
        {pixels.map((p) => (
          <option key={p.id} value={p.id}>
            {pixelLabel(p)}
          </option>
        ))}
      </select>
    </div>
  );
}
