# MailHost: IMAP, POP3 and SMTP server.
#   docker build -t mailhost .        (or: docker compose up -d, see docker-compose.yml)
#   docker run -p 143:143 -p 993:993 -p 110:110 -p 995:995 -p 25:25 -p 587:587 -p 465:465 \
#     -v mailhost-data:/data -e MailHost__Hostname=mail.example.com mailhost
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props global.json MailHost.sln ./
COPY src/ src/
RUN dotnet publish src/MailHost.Server/MailHost.Server.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
LABEL org.opencontainers.image.title="MailHost" \
      org.opencontainers.image.description="IMAP, POP3 and SMTP server" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/mailhost/mailhost"
WORKDIR /app
COPY --from=build /app ./
# Runs as the image's unprivileged user "app". Docker 20.10 and later let unprivileged processes bind ports
# below 1024 inside a container (net.ipv4.ip_unprivileged_port_start=0), so the standard mail ports work.
ENV ASPNETCORE_ENVIRONMENT=Production \
    MailHost__DataDirectory=/data
RUN mkdir -p -m 700 /data && chown app:app /data
VOLUME /data
USER app
EXPOSE 25 110 143 465 587 993 995
# Ready = the store answers, the queue worker runs, the certificate is valid: /readyz on the administration endpoint
# (MailHost:Admin:Url, http://localhost:8480 inside the container by default), asked by the host itself (no curl here).
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 CMD ["dotnet", "mailhost.dll", "health"]
# docker stop sends SIGTERM: give it MailHost:ShutdownTimeout plus a margin (docker stop -t 40, stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "mailhost.dll"]
CMD ["serve"]
