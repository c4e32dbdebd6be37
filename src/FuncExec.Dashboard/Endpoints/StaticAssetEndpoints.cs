using FuncExec.Dashboard.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FuncExec.Dashboard.Endpoints;

/// <summary>The page and its assets: <c>/</c>, <c>/app.js</c>, <c>/app.css</c>, <c>/vendor/uplot/…</c>. They hold no cluster data, so need no login.</summary>
internal static class StaticAssetEndpoints
{
    public static void Map(IEndpointRouteBuilder app, StaticAssets assets)
    {
        app.MapGet("/", (HttpContext context) => Serve(context, assets, "index.html"));
        app.MapGet("/{**path}", (HttpContext context, string path) => Serve(context, assets, path));
    }

    private static IResult Serve(HttpContext context, StaticAssets assets, string path)
    {
        if (path.StartsWith("api/", StringComparison.Ordinal) || assets.Find(path) is not { } asset)
        {
            return Results.NotFound();
        }

        // Revalidated on every load (cheap: a 304 by entity tag), so a new funcexec's page is never stale.
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        context.Response.Headers.ETag = asset.ETag;
        return Results.Bytes(asset.Content, asset.ContentType);
    }
}
