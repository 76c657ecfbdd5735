import { Page } from '../../ui/layout';

// Placeholder until the screen is built.
export function EventActivityPage() {
  return <Page title="EventActivityPage">Not built yet.</Page>;
}
