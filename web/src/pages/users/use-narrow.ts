import { useEffect, useState } from 'react';

// True on phone-sized screens (the stylesheet's 760 px breakpoint), for layouts CSS alone cannot do.
const QUERY = '(max-width: 760px)';

export function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => window.matchMedia(QUERY).matches);
  useEffect(() => {
    const media = window.matchMedia(QUERY);
    const update = () => setNarrow(media.matches);
    media.addEventListener('change', update);
    update();
    return () => media.removeEventListener('change', update);
  }, []);
  return narrow;
}
