/** Types of proxy-from-env 2.x (the package ships none): the proxy URL for a URL, or "" for none. */
declare module "proxy-from-env" {
  export function getProxyForUrl(url: string | { protocol: string; host: string; port: string }): string;
}
