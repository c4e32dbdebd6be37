using FuncExec.Dashboard.Api;
using FuncExec.Dashboard.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FuncExec.Dashboard.Endpoints;

/// <summary>
/// <c>GET /api/auth</c> (what the caller may do without the secret), <c>POST /api/login</c> with
/// <c>{"secret": "…"}</c> (checks it; sets an HTTP-only cookie that lets the page read when reading needs the secret),
/// and <c>POST /api/logout</c>.
/// </summary>
internal static class AuthEndpoints
{
    public static void Map(RouteGroupBuilder api, DashboardAuth auth)
    {
        api.MapGet("/auth", (HttpContext context) => Results.Json(
            new AuthView(auth.SecretConfigured, DashboardAuth.IsLoopback(context), auth.CanRead(context), auth.CanActWithoutSecret(context)),
            DashboardJson.Default.AuthView));

        api.MapPost("/login", async (HttpContext context) =>
        {
            var login = await context.Request.ReadFromJsonAsync(DashboardJson.Default.LoginRequest, context.RequestAborted).ConfigureAwait(false);
            if (!auth.SecretConfigured)
            {
                return Results.Json(new ErrorReply("the cluster has no secret to log in with"), DashboardJson.Default.ErrorReply, statusCode: StatusCodes.Status400BadRequest);
            }

            if (!auth.Matches(login?.Secret))
            {
                return Results.Json(new ErrorReply("wrong secret"), DashboardJson.Default.ErrorReply, statusCode: StatusCodes.Status403Forbidden);
            }

            context.Response.Cookies.Append(DashboardAuth.Cookie, auth.CookieToken!, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
            });
            return Results.NoContent();
        });

        api.MapPost("/logout", (HttpContext context) =>
        {
            context.Response.Cookies.Delete(DashboardAuth.Cookie);
            return Results.NoContent();
        });
    }
}
