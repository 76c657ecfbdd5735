import { Page } from '../../ui/layout';

// Placeholder until the screen is built.
export function ApiAccountsPage() {
  return <Page title="ApiAccountsPage">Not built yet.</Page>;
}
