import { Page } from '../../ui/layout';

// Placeholder until the screen is built.
export function DataRoutingPage() {
  return <Page title="DataRoutingPage">Not built yet.</Page>;
}
