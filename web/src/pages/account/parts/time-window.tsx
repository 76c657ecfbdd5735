import { useSearchParams } from 'react-router';

// The time window of the metric screens, kept in the address (?window=24h) so a view can be shared.

export const WINDOWS = [
  { key: '1h', label: 'Last hour', minutes: 60 },
  { key: '24h', label: '24 hours', minutes: 1440 },
  { key: '7d', label: '7 days', minutes: 10080 },
] as const;

export type TimeWindow = (typeof WINDOWS)[number];

export function useTimeWindow(): [TimeWindow, (next: TimeWindow) => void] {
  const [params, setParams] = useSearchParams();
  const current = WINDOWS.find((w) => w.key === params.get('window')) ?? WINDOWS[0];
  const set = (next: TimeWindow) =>
    setParams(
      (prev) => {
        const out = new URLSearchParams(prev);
        if (next.key === '1h') out.delete('window');
        else out.set('window', next.key);
        return out;
      },
      { replace: true },
    );
  return [current, set];
}

export function WindowPicker({ value, onChange }: { value: TimeWindow; onChange(next: TimeWindow): void }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form fieldset
    <div className="segmented" role="group" aria-label="Time window">
      {WINDOWS.map((w) => (
        <button key={w.key} type="button" aria-pressed={w.key === value.key} onClick={() => onChange(w)}>
          {w.label}
        </button>
      ))}
    </div>
  );
}
