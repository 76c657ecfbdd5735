import { Page } from '../../ui/layout';

// Placeholder until the screen is built.
export function OverviewPage() {
  return <Page title="OverviewPage">Not built yet.</Page>;
}
