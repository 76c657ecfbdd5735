import { Page } from '../../ui/layout';

// Placeholder until the screen is built.
export function LiveEventsPage() {
  return <Page title="LiveEventsPage">Not built yet.</Page>;
}
