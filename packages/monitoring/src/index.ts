export { buildDashboard, dashboardJson, DASHBOARD_UID, ROWS, type PanelQuery, type PanelSpec, type RowSpec } from "./dashboard";
