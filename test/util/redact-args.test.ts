import { describe, expect, it } from 'vitest';
import { redact, redactString, REDACTED } from '../../server/util/redact.js';

/** Secrets on command lines and named in running text: the flag or name stays, the value goes. */
describe('redactString: command strings', () => {
  it('hides the value of a secret flag given with "=" or as the next word, quoted or not', () => {
    expect(
      redactString(
        'app --password=hunter2 --port 80 --api-key abc123 --token "two words" -secret s3 --db.pass=x',
      ),
    ).toBe(
      `app --password=${REDACTED} --port 80 --api-key ${REDACTED} --token ${REDACTED} -secret ${REDACTED} --db.pass=${REDACTED}`,
    );
    expect(redactString('java -Dspring.datasource.password=hunter2 -Xmx1g -jar app.jar')).toBe(
      `java -Dspring.datasource.password=${REDACTED} -Xmx1g -jar app.jar`,
    );
  });

  it('takes a flag after a secret flag for a flag, not for its value', () => {
    expect(redactString('mongod --auth --bind_ip_all')).toBe('mongod --auth --bind_ip_all');
    expect(redactString('app --token -v')).toBe('app --token -v');
  });

  it('hides the value of a secret flag in a JSON argument list (as a prompt shows one)', () => {
    expect(redactString('command ["app","--password","hunter2","--token", "t\\"k","--port","80"]')).toBe(
      `command ["app","--password","${REDACTED}","--token", "${REDACTED}","--port","80"]`,
    );
  });

  it('hides a password given to a client with a short flag: mysql -p<password>, redis-cli -a, sshpass -p', () => {
    expect(redactString('mysql -uroot -psecret123 -h db')).toBe(`mysql -uroot -p${REDACTED} -h db`);
    expect(redactString('sh -c "mysqladmin ping -u root -p$MYSQL_ROOT_PASSWORD"')).toBe(
      `sh -c "mysqladmin ping -u root -p${REDACTED}"`,
    );
    expect(redactString(`mariadb-dump -p'my secret' app`)).toBe(`mariadb-dump -p${REDACTED} app`);
    // mysql's -p alone asks for the password: what follows is the database.
    expect(redactString('mysql -u root -p appdb')).toBe('mysql -u root -p appdb');
    expect(redactString('command ["mysql","-p","appdb"]')).toBe('command ["mysql","-p","appdb"]');
    expect(redactString('redis-cli -a hunter2 ping')).toBe(`redis-cli -a ${REDACTED} ping`);
    expect(redactString('sshpass -p hunter2 ssh host')).toBe(`sshpass -p ${REDACTED} ssh host`);
  });

  it("leaves -p alone for programs where it is not a password (docker's ports)", () => {
    expect(redactString('docker run -p 8080:80 -p8443:443 nginx')).toBe(
      'docker run -p 8080:80 -p8443:443 nginx',
    );
  });
});

describe('redactString: secrets named in text', () => {
  it('hides KEY=value in shell lines, URL queries and connection strings', () => {
    expect(redactString('export DB_PASSWORD=hunter2 && run; curl "https://x/api?apikey=abc&q=1"')).toBe(
      `export DB_PASSWORD=${REDACTED} && run; curl "https://x/api?apikey=${REDACTED}&q=1"`,
    );
    expect(redactString('Server=db;User Id=sa;Password=hunter2;Database=x')).toBe(
      `Server=db;User Id=sa;Password=${REDACTED};Database=x`,
    );
    expect(redactString("OPTS='--x' MYSQL_PWD='a b' TZ=UTC")).toBe(
      `OPTS='--x' MYSQL_PWD='${REDACTED}' TZ=UTC`,
    );
  });

  it("hides var.ini's csrf_token wherever its text turns up", () => {
    expect(redactString('NAME="Tower"\ncsrf_token="0123456789ABCDEF"\nmdState="STARTED"')).toBe(
      `NAME="Tower"\ncsrf_token="${REDACTED}"\nmdState="STARTED"`,
    );
  });

  it('hides "key": "value" in JSON and "key: value" in a log line', () => {
    expect(redactString('{"password": "hunter2", "user": "bob", "token":"x\\"y", "pin": 1}')).toBe(
      `{"password": "${REDACTED}", "user": "bob", "token":"${REDACTED}", "pin": 1}`,
    );
    expect(redactString('login failed, password: hunter2 for bob')).toBe(
      `login failed, password: ${REDACTED} for bob`,
    );
  });

  it('hides the credential of an Authorization header, whatever its scheme', () => {
    expect(redactString('curl -H "Authorization: Basic dXNlcjpwYXNz" http://x')).toBe(
      `curl -H "Authorization: ${REDACTED}" http://x`,
    );
    expect(redactString('pull failed: Bearer abcdefgh12345678 rejected')).toBe(
      `pull failed: ${REDACTED} rejected`,
    );
  });

  it('keeps text whose names are harmless, and the punctuation after a hidden value', () => {
    for (const clean of [
      'the keyboard monkey passed the compass',
      'TZ=Europe/Berlin PUID=99 WEBUI_PORT=8080',
      'http://[IP]:[PORT]/ and user:pass without a scheme',
      'Error: token expired',
      'KEYWORDS=media,tv',
    ])
      expect(redactString(clean)).toBe(clean);
    expect(redactString('with labels com.example.api_token=[REDACTED]. Done')).toBe(
      'with labels com.example.api_token=[REDACTED]. Done',
    );
    expect(redactString(`secret=ghp_${'a'.repeat(30)}.more`)).toBe(`secret=${REDACTED}`);
    // Already replaced by another redaction (the VM XML's own marker): left as it is.
    expect(redactString('<graphics passwd="[redacted]"/> password=[redacted]')).toBe(
      '<graphics passwd="[redacted]"/> password=[redacted]',
    );
  });
});

describe('redact: argument lists', () => {
  it('hides the argument after a secret flag, and mysql/redis-cli/sshpass passwords', () => {
    expect(redact(['mysql', '-uroot', '-phunter2', 'db'])).toEqual([
      'mysql',
      '-uroot',
      `-p${REDACTED}`,
      'db',
    ]);
    expect(redact(['mysql', '-p', 'db'])).toEqual(['mysql', '-p', 'db']);
    expect(redact(['/usr/bin/redis-cli', '-a', 'hunter2', 'ping'])).toEqual([
      '/usr/bin/redis-cli',
      '-a',
      REDACTED,
      'ping',
    ]);
    expect(redact(['sshpass', '-phunter2', 'ssh', 'h'])).toEqual(['sshpass', `-p${REDACTED}`, 'ssh', 'h']);
    expect(redact(['app', '--api-key', 'k1', '--token=k2', '--key', 'k3', '--port', '80'])).toEqual([
      'app',
      '--api-key',
      REDACTED,
      `--token=${REDACTED}`,
      '--key',
      REDACTED,
      '--port',
      '80',
    ]);
    expect(redact(['nginx', '-p', '/etc/nginx', '-g', 'daemon off;'])).toEqual([
      'nginx',
      '-p',
      '/etc/nginx',
      '-g',
      'daemon off;',
    ]);
  });

  it('hides secrets inside one item of a list (sh -c "…", a health check)', () => {
    expect(redact(['CMD-SHELL', 'mysqladmin ping -uroot -phunter2 && curl "http://x/?token=t1"'])).toEqual([
      'CMD-SHELL',
      `mysqladmin ping -uroot -p${REDACTED} && curl "http://x/?token=${REDACTED}"`,
    ]);
  });
});
