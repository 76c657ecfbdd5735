import { type ReactNode, useEffect, useState } from 'react';
import { NavLink, useLocation, useMatch, useNavigate } from 'react-router';
import { useAccounts } from './accounts';
import { auth } from './api';
import { useSession, useSessionState } from './session';

// The frame around every signed-in screen: top bar (account selector, user, log out) and the
// navigation, which folds into a menu button on narrow screens.
export function Shell({ children }: { children: ReactNode }) {
  const session = useSession();
  const { refresh } = useSessionState();
  const { accounts } = useAccounts();
  const navigate = useNavigate();
  const match = useMatch('/a/:accountId/*');
  const accountId = match?.params.accountId;
  const [navOpen, setNavOpen] = useState(false);
  const { pathname } = useLocation();
  // On phones the menu covers the page: close it once the person went somewhere.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation
  useEffect(() => setNavOpen(false), [pathname]);
  const current = accounts?.find((a) => a.id === accountId);

  const logout = async () => {
    await auth.logout().catch(() => undefined);
    await refresh();
    navigate('/login');
  };
  const base = accountId ? `/a/${encodeURIComponent(accountId)}` : null;
  const canUsers = current ? current.canEditTenantUsersInUI : false;

  return (
    <div className="shell">
      <header className="topbar">
        <button
          type="button"
          className="btn ghost icon nav-toggle"
          aria-label="Menu"
          aria-expanded={navOpen}
          onClick={() => setNavOpen(!navOpen)}
        >
          ☰
        </button>
        <a className="brand" href="/hub/">
          <span className="brand-mark" aria-hidden="true" />
          <span>Conversions API Gateway</span>
        </a>
        <label className="account-select">
          <span className="sr-only">Account</span>
          <select
            aria-label="Account"
            value={accountId ?? ''}
            onChange={(e) => navigate(e.target.value ? `/a/${encodeURIComponent(e.target.value)}` : '/')}
          >
            <option value="">{session.hostLevel ? 'All accounts' : 'Choose an account'}</option>
            {(accounts ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <div className="user-box">
          <span className="user-email" title={session.user.email}>
            {session.user.email}
          </span>
          <button type="button" className="btn small" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <div className="body">
        <nav className={navOpen ? 'sidenav open' : 'sidenav'} aria-label="Main">
          {session.hostLevel ? (
            <>
              <div className="nav-group">Host</div>
              <NavLink to="/accounts">Manage accounts</NavLink>
              {session.hostLevel === 'admin' ? <NavLink to="/users">Users</NavLink> : null}
              {session.hostLevel === 'admin' ? <NavLink to="/api-accounts">API accounts</NavLink> : null}
            </>
          ) : null}
          {base && current ? (
            <>
              <div className="nav-group" title={current.name}>
                {current.name}
              </div>
              <NavLink to={base} end>
                Overview
              </NavLink>
              <NavLink to={`${base}/events`}>Event activity</NavLink>
              <NavLink to={`${base}/live`}>Live events</NavLink>
              <NavLink to={`${base}/dead-letters`}>Dead letters</NavLink>
              <NavLink to={`${base}/pipelines`}>Pipelines</NavLink>
              <NavLink to={`${base}/uploads`}>File uploads</NavLink>
              <NavLink to={`${base}/alerts`}>Alerts</NavLink>
              <NavLink to={`${base}/websites`}>Websites</NavLink>
              <NavLink to={`${base}/routing`}>Data routing</NavLink>
              <NavLink to={`${base}/privacy`}>Privacy</NavLink>
              {canUsers ? <NavLink to={`${base}/users`}>Users</NavLink> : null}
            </>
          ) : null}
        </nav>
        <main className="content">{children}</main>
      </div>
    </div>
  );
}
