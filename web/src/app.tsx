import { Navigate, Route, Routes, useLocation } from 'react-router';
import { AccountsProvider, useAccounts } from './accounts';
import { AccountLayout } from './pages/account/account-layout';
import { AccountUsersPage } from './pages/account/account-users';
import { DataRoutingPage } from './pages/account/data-routing';
import { AlertsPage } from './pages/account/alerts';
import { DeadLettersPage } from './pages/account/dead-letters';
import { EventActivityPage } from './pages/account/event-activity';
import { HttpDestinationPage } from './pages/account/http-destination';
import { LiveEventsPage } from './pages/account/live-events';
import { OverviewPage } from './pages/account/overview';
import { PipelinesPage } from './pages/account/pipelines';
import { PrivacyPage } from './pages/account/privacy';
import { UploadsPage } from './pages/account/uploads';
import { WebsitesPage } from './pages/account/websites';
import { ForgotPasswordPage } from './pages/auth/forgot-password';
import { LoginPage } from './pages/auth/login';
import { SetupPage } from './pages/auth/setup';
import { VerifyPage } from './pages/auth/verify';
import { ApiAccountsPage } from './pages/host/api-accounts';
import { HostUsersPage } from './pages/host/host-users';
import { ManageAccountsPage } from './pages/host/manage-accounts';
import { useSessionState } from './session';
import { Shell } from './shell';
import { ErrorNote, Loading } from './ui/layout';

// Routes under /hub/. Signed-out visitors see the auth pages; everyone else the shell.
export function App() {
  const { session, error, refresh } = useSessionState();
  const location = useLocation();
  if (session === undefined)
    return (
      <Centered>
        <Loading what="the gateway" />
      </Centered>
    );
  if (error && !session)
    return (
      <Centered>
        <ErrorNote message={error} onRetry={refresh} />
      </Centered>
    );
  if (!session) {
    return (
      <Routes>
        <Route path="/setup" element={<SetupPage />} />
        <Route path="/login" element={<LoginPage />} />
        <Route path="/forgot" element={<ForgotPasswordPage />} />
        <Route path="/verify" element={<VerifyPage />} />
        <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname }} />} />
      </Routes>
    );
  }
  return (
    <AccountsProvider>
      <Shell>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/accounts" element={<ManageAccountsPage />} />
          <Route path="/users" element={<HostUsersPage />} />
          <Route path="/api-accounts" element={<ApiAccountsPage />} />
          <Route path="/a/:accountId" element={<AccountLayout />}>
            <Route index element={<OverviewPage />} />
            <Route path="events" element={<EventActivityPage />} />
            <Route path="websites" element={<WebsitesPage />} />
            <Route path="routing" element={<DataRoutingPage />} />
            <Route path="users" element={<AccountUsersPage />} />
            <Route path="live" element={<LiveEventsPage />} />
            <Route path="dead-letters" element={<DeadLettersPage />} />
            <Route path="alerts" element={<AlertsPage />} />
            <Route path="pipelines" element={<PipelinesPage />} />
            <Route path="pipelines/destinations/:destinationId" element={<HttpDestinationPage />} />
            <Route path="uploads" element={<UploadsPage />} />
            <Route path="privacy" element={<PrivacyPage />} />
          </Route>
          <Route path="/verify" element={<VerifyPage />} />
          <Route path="/login" element={<Home />} />
          <Route path="/setup" element={<Home />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Shell>
    </AccountsProvider>
  );
}

/** Host people land on Manage accounts; account people on their first account's Overview. */
function Home() {
  const { session } = useSessionState();
  const { accounts, error, reload } = useAccounts();
  if (session?.hostLevel) return <Navigate to="/accounts" replace />;
  if (error) return <ErrorNote message={error} onRetry={reload} />;
  if (!accounts) return <Loading what="your accounts" />;
  const first = accounts[0];
  if (first) return <Navigate to={`/a/${encodeURIComponent(first.id)}`} replace />;
  return (
    <div className="empty">
      <p className="empty-title">No account yet</p>
      <p className="muted">
        You are signed in, but no account has been shared with you. Ask an admin of the gateway to invite you.
      </p>
    </div>
  );
}

function NotFound() {
  return (
    <div className="empty">
      <p className="empty-title">This page does not exist</p>
      <a href="/hub/">Go to the start page</a>
    </div>
  );
}

function Centered({ children }: { children: React.ReactNode }) {
  return <main className="auth-page">{children}</main>;
}
