import { Page } from '../../ui/layout';

// Placeholder until the screen is built.
export function AccountUsersPage() {
  return <Page title="AccountUsersPage">Not built yet.</Page>;
}
